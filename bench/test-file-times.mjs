// A node:test reporter that lists each test file's wall time, slowest first (the options
// go before the file patterns):
//   node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./bench/test-file-times.mjs --test-reporter-destination=/tmp/times.txt …
// Files run one after another (--test-concurrency=1), so a file's time runs from the last
// event of the file before it (or the start) to its own last event: start-up included.
import path from 'node:path';

export default async function* fileTimes(source) {
  const started = performance.now();
  const order = [];
  const lastEvent = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    if (!file) continue;
    if (!lastEvent.has(file)) order.push(file);
    lastEvent.set(file, performance.now());
  }
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
