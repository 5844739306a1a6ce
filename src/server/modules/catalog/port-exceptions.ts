// Default host ports two or more bundled apps share on purpose (gate 3). Keep it short: every entry
// means a user cannot run those apps side by side without changing a port.

/** Host port → the apps allowed to share it as their default, and why. */
export type PortExceptions = Record<string, { apps: string[]; reason: string }>;

export const PORT_EXCEPTIONS: PortExceptions = {};
