// Default host ports two or more bundled apps share on purpose (gate 3). Keep it short: every entry
// means a user cannot run those apps side by side without changing a port.
import type { PortExceptions } from './catalog-check.js';

export const PORT_EXCEPTIONS: PortExceptions = {};
