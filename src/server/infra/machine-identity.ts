// The names and addresses this machine answers to, read once at start for the Host and Origin checks.
import os from 'node:os';

export type MachineIdentity = { machineNames: string[]; machineAddresses: string[] };

export function readMachineIdentity(): MachineIdentity {
  const hostname = os.hostname().toLowerCase();
  const short = hostname.split('.')[0] ?? hostname;
  // mDNS (`nas.local`) is how many homelabs reach a box that has no DNS entry.
  const machineNames = [...new Set([hostname, short, `${short}.local`])].filter((name) => name.length > 0);
  const machineAddresses = Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .map((entry) => entry.address.replace(/%.*$/, ''));
  return { machineNames, machineAddresses };
}
