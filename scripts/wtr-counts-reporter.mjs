// Prints "N passed, N failed" for the browser run and writes the counts for scripts/test.mjs, which adds them to
// node's test runner counts: CI reads that one closing line, not @web/test-runner's own summary.
import { mkdirSync, writeFileSync } from 'node:fs';

function count(suite, totals) {
  for (const test of suite.tests) {
    if (test.skipped) totals.skipped += 1;
    else if (test.passed) totals.passed += 1;
    else totals.failed += 1;
  }
  for (const child of suite.suites) count(child, totals);
}

export function countsReporter({ file = '.tmp/wtr-counts.json' } = {}) {
  return {
    onTestRunFinished({ sessions }) {
      const totals = { passed: 0, failed: 0, skipped: 0 };
      for (const session of sessions) {
        if (session.testResults) count(session.testResults, totals);
        // A file that failed to load has no results but errors: count it as one failure so it cannot hide.
        if (!session.passed && (!session.testResults || session.errors?.length)) totals.failed += session.errors?.length ? 1 : 0;
      }
      mkdirSync('.tmp', { recursive: true });
      writeFileSync(file, JSON.stringify(totals));
      console.log(`\nbrowser: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
    },
  };
}
