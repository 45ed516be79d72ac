// CPU time by where it is spent, read from /proc (Linux; elsewhere nothing is measured):
// a web process's threads (its main thread, libuv's pool — where argon2id runs — and V8's
// helper threads, mostly the garbage collector) and the local PostgreSQL and Redis servers.
// Divided by the requests of a load, it tells what one request costs on the whole machine,
// which is what the request rates of the bench are made of.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const PARTS = ['main thread', 'libuv pool (argon2id)', 'V8 helper threads', 'other threads', 'PostgreSQL', 'Redis'] as const;
export type CpuPart = (typeof PARTS)[number];
/** CPU seconds so far, by part, of each thread or process (by id). */
export type CpuReading = Record<CpuPart, Map<string, number>>;

/** utime + stime of a /proc stat line, in seconds, and its command name. */
function parseStat(stat: string): { name: string; seconds: number } {
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // Linux counts in USER_HZ ticks, 100 a second on every architecture Node supports.
  return { name: stat.slice(stat.indexOf('(') + 1, close), seconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // a thread or process that ended meanwhile
  }
};

/** A reading of `pid`'s threads and of every local postgres and redis-server process. */
export function cpuNow(pid: number): CpuReading | undefined {
  if (!existsSync(`/proc/${pid}/task`)) return undefined;
  const reading = Object.fromEntries(PARTS.map((p) => [p, new Map<string, number>()])) as CpuReading;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const stat = read(`/proc/${pid}/task/${task}/stat`);
    if (!stat) continue;
    const { name, seconds } = parseStat(stat);
    const part: CpuPart = task === String(pid) ? 'main thread' : name.startsWith('libuv-worker') ? 'libuv pool (argon2id)' : name.startsWith('V8') ? 'V8 helper threads' : 'other threads';
    reading[part].set(task, seconds);
  }
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const stat = read(`/proc/${p}/stat`);
    if (!stat) continue;
    const { name, seconds } = parseStat(stat);
    if (name === 'postgres') reading.PostgreSQL.set(p, seconds);
    else if (name === 'redis-server') reading.Redis.set(p, seconds);
  }
  return reading;
}

/** Sums the CPU of several loads: `add(before, after, requests)`, then `perRequest()`. */
export function cpuTally() {
  const total = Object.fromEntries(PARTS.map((p) => [p, 0])) as Record<CpuPart, number>;
  let requests = 0;
  return {
    add(before: CpuReading | undefined, after: CpuReading | undefined, n: number) {
      if (!before || !after) return;
      // What each thread or process present at the end spent since the start (all of it if it
      // began meanwhile); one that ended in between is not counted (its figure is gone).
      for (const p of PARTS) for (const [id, seconds] of after[p]) total[p] += seconds - (before[p].get(id) ?? 0);
      requests += n;
    },
    /** Milliseconds of CPU per request, by part (undefined where nothing was measured). */
    perRequest(): Record<CpuPart, number> | undefined {
      return requests ? (Object.fromEntries(PARTS.map((p) => [p, (total[p] * 1000) / requests])) as Record<CpuPart, number>) : undefined;
    },
  };
}
