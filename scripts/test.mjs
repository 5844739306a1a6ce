// `npm test`: the whole suite (unit, api, docker, mounts, browser), ending with "N passed, N failed".
// Two phases: everything that can share the Docker daemon runs in parallel; files named
// *.serial.test.ts (they stop dockerd or load the whole machine) run afterwards, one at a time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureBuilt, ensureInstalled, root } from './ensure-built.mjs';

ensureInstalled();
ensureBuilt();
const reportDir = path.join(root, 'test-results');
mkdirSync(reportDir, { recursive: true });
const vitestBin = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const extraArgs = process.argv.slice(2);

function runPhase(name, args) {
  const report = path.join(reportDir, `vitest-${name}.json`);
  rmSync(report, { force: true });
  const result = spawnSync(
    process.execPath,
    [vitestBin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args, ...extraArgs],
    { cwd: root, stdio: 'inherit', env: { ...process.env, HLR_TEST_PHASE: name } },
  );
  if (!existsSync(report)) return { passed: 0, failed: 1, ok: false, ran: false };
  const results = JSON.parse(readFileSync(report, 'utf8'));
  let failed = results.numFailedTests;
  // A test file that fails to load runs no test but is still a failure.
  for (const file of results.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
  }
  const ran = results.numTotalTests > 0;
  return { passed: results.numPassedTests, failed, ok: result.status === 0 || (!ran && failed === 0), ran };
}

const parallel = runPhase('parallel', ['--exclude', '**/*.serial.test.ts']);
const serial = runPhase('serial', ['--maxWorkers=1', '--no-file-parallelism', '--passWithNoTests', '.serial.test.ts']);
const passed = parallel.passed + serial.passed;
const failed = parallel.failed + serial.failed;
const exitCode = !parallel.ok || !serial.ok || failed > 0 || passed === 0 ? 1 : 0;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(exitCode);
