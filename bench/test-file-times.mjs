// A node:test reporter that lists each test file's wall time, slowest first (the options
// go before the file patterns):
//   node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./bench/test-file-times.mjs --test-reporter-destination=/tmp/times.txt …
// Files run one after another (--test-concurrency=1), so a file's time runs from the end of
// the file that ended before it (or the start) to its own last event: start-up included.
import path from 'node:path';

export default async function* fileTimes(source) {
  const started = performance.now();
  const lastEvent = new Map();
  for await (const event of source) {
    // Some events name a file before it runs (queued tests) and by another spelling of its
    // path: one key per file, and the files in the order they ended.
    const file = event.data?.file && path.resolve(event.data.file);
    if (!file) continue;
    lastEvent.set(file, performance.now());
  }
  const order = [...lastEvent.keys()].sort((a, b) => lastEvent.get(a) - lastEvent.get(b));
  const total = (performance.now() - started) / 1000;
  let from = started;
  const rows = order.map((file) => {
    const end = lastEvent.get(file);
    const row = [path.relative(process.cwd(), file), (end - from) / 1000];
    from = end;
    return row;
  });
  rows.sort((a, b) => b[1] - a[1]);
  yield `test files by wall time (total ${total.toFixed(1)} s)\n`;
  for (const [file, s] of rows) yield `${s.toFixed(1).padStart(7)} s  ${((s / total) * 100).toFixed(1).padStart(5)} %  ${file}\n`;
}
