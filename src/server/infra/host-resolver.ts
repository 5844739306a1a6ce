// Turns a host name into the addresses it names, so a storage endpoint can be checked before rclone
// ever connects to it. A lookup asks the system resolver only; it opens no connection to the host.
import { lookup } from 'node:dns/promises';

export interface HostResolver {
  /** Every address the name resolves to; empty when it resolves to none (or the lookup fails). */
  resolve(hostname: string): Promise<string[]>;
}

export class SystemHostResolver implements HostResolver {
  constructor(private readonly timeoutMs = 3_000) {}

  async resolve(hostname: string): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<[]>((resolve) => {
      timer = setTimeout(() => resolve([]), this.timeoutMs);
    });
    try {
      const found = lookup(hostname, { all: true, verbatim: true })
        .then((entries) => entries.map((entry) => entry.address))
        .catch(() => []);
      return await Promise.race([found, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
