// Prints the reliability suite's figures (test-results/reliability/*.json) as the Markdown table
// docs/security.md keeps: `npx tsx test/reliability/print-figures.ts` after a run.
import { readAllFigures } from './figures.js';

const suites = readAllFigures();
if (suites.length === 0) {
  process.stderr.write('No figures yet: run the reliability suite first (npx vitest run test/reliability).\n');
  process.exit(1);
}
const total = { requestsSent: 0, badInputsTried: 0, faultsSurvived: 0, failures: 0 };
const lines = ['| Suite | Requests sent | Bad inputs tried | Faults survived | Failures |', '|---|---:|---:|---:|---:|'];
for (const suite of suites) {
  total.requestsSent += suite.requestsSent;
  total.badInputsTried += suite.badInputsTried;
  total.faultsSurvived += suite.faultsSurvived;
  total.failures += suite.failures;
  lines.push(`| ${suite.suite} | ${suite.requestsSent} | ${suite.badInputsTried} | ${suite.faultsSurvived} | ${suite.failures} |`);
}
lines.push(`| **Total** | **${total.requestsSent}** | **${total.badInputsTried}** | **${total.faultsSurvived}** | **${total.failures}** |`);
lines.push('', 'Notes:');
for (const suite of suites) {
  const notes = Object.entries(suite.notes);
  if (notes.length > 0) lines.push(`- ${suite.suite}: ${notes.map(([name, value]) => `${name} ${value}`).join(', ')}`);
}
process.stdout.write(`${lines.join('\n')}\n`);
