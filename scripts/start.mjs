// `npm start`: install what is missing, build what is stale, then run the server in this very
// process, so a signal sent to `npm start` (which npm forwards here) reaches the server itself.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, ensureInstalled, root } from './ensure-built.mjs';

ensureInstalled();
ensureBuilt();
process.setSourceMapsEnabled(true);
await import(pathToFileURL(path.join(root, 'dist', 'server', 'main.js')).href);
