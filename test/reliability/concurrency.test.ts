// Races the load test found, pinned down at api-tier cost: concurrent callers of the port probes.
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';
import { freePort } from '../helpers/server-process.js';
import { FigureRecorder } from './figures.js';

const figures = new FigureRecorder('concurrency');
afterAll(() => figures.write());

describe('concurrent port probes', () => {
  it('answers 40 simultaneous GET /ports/available on a narrow free range with the same free port, never "no free port"', async () => {
    const t = await createTestApp({ docker: new FakeDockerEngine() });
    try {
      const start = await freePort();
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => t.app.inject({ method: 'GET', url: `/ports/available?start=${start}&end=${start + 2}` })),
      );
      figures.request(answers.length);
      const outcomes = answers.map(
        (answer) => `${answer.statusCode} ${answer.json<{ availablePort?: number }>().availablePort ?? answer.body}`,
      );
      // Probes of one port share one bind: each caller sees the port free, none sees another's probe.
      expect(new Set(outcomes)).toEqual(new Set([`200 ${start}`]));
    } finally {
      await t.close();
    }
  });

  it('lists the host sockets once for a burst of port checks, and every caller gets the same listing', async () => {
    const t = await createTestApp({ docker: new FakeDockerEngine() });
    try {
      const answers = await Promise.all(Array.from({ length: 30 }, () => t.app.inject({ method: 'GET', url: '/ports/check' })));
      figures.request(answers.length);
      expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
      expect(new Set(answers.map((answer) => JSON.stringify(answer.json<{ usedPorts: number[] }>().usedPorts))).size).toBe(1);
    } finally {
      await t.close();
    }
  });
});
