// npx tsx bench/profile.ts <path> [seconds]: where one route's server time goes. Starts the built
// server with --cpu-prof, loads the route with c=10, stops it, and prints where the CPU went during
// the load (self and inclusive time per function) plus the .cpuprofile file for Chrome DevTools.
//
//   PROFILE_AUTH=1                          send a Bearer JWT (Conditional routes)
//   PROFILE_HEADERS='{"accept-encoding":"gzip"}'  extra request headers
//   PROFILE_ENV='{"LOG_LEVEL":"warn"}'       extra server environment
//   PROFILE_CONTAINERS=50                   run that many labelled stub containers during the load
//   BENCH_NODE_FLAGS='--enable-source-maps'  node flags (default: those the server is run with)
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSleepers, ensureStubImage, removeBenchResources } from './lib/docker-fixtures.js';
import { measureAlternating } from './lib/http-load.js';
import { login, START_NODE_FLAGS, startServerUnderTest } from './lib/server-under-test.js';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

const routePath = process.argv[2] ?? '/health';
const loadSeconds = Number(process.argv[3] ?? 10);
const headers = JSON.parse(process.env.PROFILE_HEADERS ?? '{}') as Record<string, string>;
const profileDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-profile-'));

const containers = Number(process.env.PROFILE_CONTAINERS ?? 0);
if (containers > 0) {
  await ensureStubImage();
  await createSleepers(containers);
}
const spawnedAt = performance.now();
const server = await startServerUnderTest({
  nodeFlags: process.env.BENCH_NODE_FLAGS === undefined ? START_NODE_FLAGS : process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean),
  cpuProfileDir: profileDir,
  env: JSON.parse(process.env.PROFILE_ENV ?? '{}') as Record<string, string>,
});
await new Promise((resolve) => setTimeout(resolve, 3000));
const idleRss = server.rssBytes();
if (process.env.PROFILE_AUTH === '1') headers.authorization = `Bearer ${await login(server)}`;
const loadStartMs = performance.now() - spawnedAt;
const [result] = await measureAlternating([{ label: routePath, url: `${server.url}${routePath}`, headers, pid: server.pid }], {
  connections: 10,
  totalSeconds: loadSeconds,
  rounds: 1,
  warmupSeconds: 0,
});
const loadedRss = server.rssBytes();
await server.stop();
if (containers > 0) await removeBenchResources();
if (!result) throw new Error('no result');

const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile was written to ${profileDir}`);
const profile = JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const label = (node: ProfileNode): string => {
  const url = node.callFrame.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/');
  return `${node.callFrame.functionName || '(anonymous)'}${url ? ` ${url}:${node.callFrame.lineNumber + 1}` : ''}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let elapsedUs = 0;
let windowUs = 0;
// The profile starts with the process; only samples from the load on are counted.
const skipUs = (loadStartMs - 100) * 1000;
profile.samples.forEach((sample, index) => {
  elapsedUs += profile.timeDeltas[index] ?? 0;
  if (elapsedUs < skipUs) return;
  const delta = profile.timeDeltas[index] ?? 0;
  windowUs += delta;
  const leaf = byId.get(sample);
  if (!leaf) return;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + delta);
  const seen = new Set<string>();
  for (let id: number | undefined = sample; id !== undefined; id = parentOf.get(id)) {
    const node = byId.get(id);
    if (!node) break;
    const name = label(node);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + delta);
  }
});

const top = (table: Map<string, number>, count: number): string =>
  [...table.entries()]
    .filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(root)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((us * 100) / windowUs).toFixed(1).padStart(5)}%  ${name}`)
    .join('\n');
const idleUs = self.get('(idle)') ?? 0;
process.stdout.write(
  [
    `${routePath}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.cpuMsPerRequest.toFixed(3)} server CPU ms/req, ` +
      `RSS ${(idleRss / 1048576).toFixed(1)} MB idle → ${(loadedRss / 1048576).toFixed(1)} MB loaded`,
    `Profile window ${(windowUs / 1000).toFixed(0)} ms, idle ${((idleUs * 100) / windowUs).toFixed(0)}%: ${path.join(profileDir, file)}`,
    '',
    'Self time',
    top(self, 25),
    '',
    'Inclusive time',
    top(inclusive, 40),
    '',
  ].join('\n'),
);
