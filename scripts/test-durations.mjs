// A node:test reporter for the workers of scripts/test.mjs: one JSON object at the end, with
// each test file's wall time (the suite scripts/test-files.mjs wraps it in) and the counts of
// tests run, passed, failed and skipped.
export default async function* durations(source) {
  const summary = { files: {}, tests: 0, passed: 0, failed: 0, skipped: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.nesting === 0) {
      summary.files[data.name] = Math.round(data.details?.duration_ms ?? 0);
      // A file whose import failed has no tests: its suite's failure is the one to count.
      if (event.type === 'test:fail' && data.details?.error?.failureType !== 'subtestsFailed') {
        summary.tests++;
        summary.failed++;
      }
      continue;
    }
    if (data.details?.type === 'suite') continue;
    summary.tests++;
    if (data.skip !== undefined || data.todo !== undefined) summary.skipped++;
    else if (event.type === 'test:pass') summary.passed++;
    else summary.failed++;
  }
  yield JSON.stringify(summary);
}
