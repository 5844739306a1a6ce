// `npm start`: install what is missing, build what is stale, then run the server in this very
// process, so a signal sent to `npm start` (which npm forwards here) reaches the server itself.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, ensureInstalled, root } from './ensure-built.mjs';

ensureInstalled();
ensureBuilt();
// Source maps are left off as in the Dockerfile and the systemd unit: they cost ~2 MiB resident
// (docs/decisions.md); NODE_OPTIONS=--enable-source-maps turns them on for debugging.
await import(pathToFileURL(path.join(root, 'dist', 'server', 'main.js')).href);
