// The test helpers' port picker: two servers started one after the other must never be handed the
// same port (a flake seen as "FRONTEND_PORT=…: must differ from BACKEND_PORT"), nor one the kernel
// may give an outgoing connection (its ephemeral range).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/server-process.js';

describe('freePort', () => {
  it('hands out distinct ports, all below the ephemeral range, each bindable when handed out', async () => {
    const [ephemeralStart] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const ports: number[] = [];
    for (let index = 0; index < 300; index += 1) ports.push(await freePort());
    expect(new Set(ports).size).toBe(300);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(1024);
      expect(port).toBeLessThan(ephemeralStart ?? 32768);
    }
  });
});
