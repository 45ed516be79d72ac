// `npm run bench:readme`: writes the table of bench/results.json (the latest run of each
// scenario) into README.md between the bench markers.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatFigure, RESULTS_FILE, type Results } from './run.js';

const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const START = '<!-- bench:start (npm run bench:readme writes this table from bench/results.json) -->';
const END = '<!-- bench:end -->';

const results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results;
const cell = (s: string) => s.replace(/\|/g, '\\|');
const lines = ['| scenario | figure | value | ceiling | ratio | goal |', '|---|---|---|---|---|---|'];
for (const [name, r] of Object.entries(results)) {
  for (const [k, v] of Object.entries(r.figures)) {
    const f = formatFigure(v);
    lines.push(`| ${name} | ${cell(k)} | ${cell(f.value)} | ${cell(f.ceiling)} | ${f.ratio} | ${cell(f.goal)} |`);
  }
}
const runs = Object.entries(results).map(([name, r]) => `${name}: ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC`).join('; ');
const machines = [...new Set(Object.values(results).map((r) => r.machine))].join('; ');
lines.push('', `Measured ${runs}, on ${machines}.`);
const readme = readFileSync(README, 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) throw new Error(`README.md has no ${START} … ${END} section`);
writeFileSync(README, readme.slice(0, from + START.length) + '\n' + lines.join('\n') + '\n' + readme.slice(to));
console.log(`README.md: ${lines.length - 4} figures from ${path.relative(process.cwd(), RESULTS_FILE)}`);
