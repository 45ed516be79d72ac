// `npm run bench [name…]`: runs the scenarios in bench/scenarios and prints their figures,
// each beside its ceiling (the same work without Dargah, measured in the same run) and the
// ratio. A run's figures are kept in bench/results.json (per scenario, the latest run);
// `npm run bench:readme` writes the README's table from that file.
// Figures, not pass/fail: this machine is shared and noisy, so nothing here asserts speed.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A measured figure; `ceiling` is what the same work costs without us (or a reference value). */
export type Figure = {
  value: number;
  unit?: string;
  ceiling?: number;
  ceilingName?: string;
  /** The ratio's goal, as text (e.g. "≥ 0.90"), or the figure's own goal (e.g. "≤ 150 MB"). */
  goal?: string;
  /** Lower values are better (latency, memory, time): the ratio is value ÷ ceiling all the same. */
  lowerIsBetter?: boolean;
  /** Every round, for the record. */
  rounds?: string;
};
export type Scenario = { name: string; description: string; run(): Promise<Record<string, Figure | string | number>> };

export const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');
export type Results = Record<string, { description: string; measuredAt: string; machine: string; figures: Record<string, Figure | string | number> }>;

const isFigure = (v: unknown): v is Figure => typeof v === 'object' && v !== null && 'value' in v;
const num = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

export function formatFigure(v: Figure | string | number): { value: string; ceiling: string; ratio: string; goal: string } {
  if (!isFigure(v)) return { value: typeof v === 'number' ? num(v) : v, ceiling: '', ratio: '', goal: '' };
  const unit = v.unit ? ` ${v.unit}` : '';
  return {
    value: `${num(v.value)}${unit}`,
    ceiling: v.ceiling === undefined ? '' : `${num(v.ceiling)}${unit}${v.ceilingName ? ` (${v.ceilingName})` : ''}`,
    ratio: v.ceiling ? (v.value / v.ceiling).toFixed(2) : '',
    goal: v.goal ?? '',
  };
}

async function main() {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');
  const wanted = process.argv.slice(2);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
  const results: Results = existsSync(RESULTS_FILE) ? JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) : {};
  const machine = `${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.versions.node}`;
  for (const file of files) {
    const mod = (await import(path.join(dir, file))) as { scenario: Scenario };
    const s = mod.scenario;
    if (wanted.length && !wanted.includes(s.name)) continue;
    console.log(`\n## ${s.name}: ${s.description}`);
    const started = performance.now();
    const figures = await s.run();
    console.log(`  ${'figure'.padEnd(44)} ${'value'.padStart(12)}  ${'ceiling'.padEnd(44)} ${'ratio'.padStart(6)}  goal`);
    for (const [k, v] of Object.entries(figures)) {
      const f = formatFigure(v);
      console.log(`  ${k.padEnd(44)} ${f.value.padStart(12)}  ${f.ceiling.padEnd(44)} ${f.ratio.padStart(6)}  ${f.goal}`);
      if (isFigure(v) && v.rounds) console.log(`  ${''.padEnd(44)} rounds (ours/ceiling): ${v.rounds}`);
    }
    console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    // The machine is shared: the load average at the end of the run says how quiet it was.
    results[s.name] = { description: s.description, measuredAt: new Date().toISOString(), machine: `${machine}, load average ${loadavg()[0]!.toFixed(1)}`, figures };
    writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 2) + '\n');
  }
  console.log(`\nfigures kept in ${path.relative(process.cwd(), RESULTS_FILE)}; npm run bench:readme puts them in the README`);
  process.exit(0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
