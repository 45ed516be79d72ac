// `npm run bench [name…]`: runs the scenarios in bench/scenarios and prints their figures.
// Figures, not pass/fail: this machine is shared and noisy, so nothing here asserts speed.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Scenario = { name: string; description: string; run(): Promise<Record<string, string | number>> };

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');
const wanted = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
for (const file of files) {
  const mod = (await import(path.join(dir, file))) as { scenario: Scenario };
  const s = mod.scenario;
  if (wanted.length && !wanted.includes(s.name)) continue;
  console.log(`\n## ${s.name}: ${s.description}`);
  const started = performance.now();
  const figures = await s.run();
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(40)} ${typeof v === 'number' ? v.toFixed(v < 10 ? 2 : 0) : v}`);
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(0);
