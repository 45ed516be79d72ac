// Verifications per second on one worker: N generated people in the simulated registries
// (CSV files written for the run), N pending registrations inserted directly, then
// (1) the verification queue worked by pg-boss in this process until every request has an
// outcome (the handler takes pg-boss's batch: a handful of statements per batch), and
// (2) the same number checked directly without the queue, to separate the queue's cost from
// ours: verify() one request at a time with a fixed concurrency, and verifyBatch() on
// batches of BENCH_BATCH (default 100). Database: DATABASE_URL
// (a fresh schema, dropped afterwards) or PGlite in memory. Figures only, no assertions.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { jalaliToGregorianIso } from '../../src/identity/jalali.js';
import { nationalCodeWithCheckDigit } from '../../src/identity/nationalCode.js';
import { createPlatform, type Platform } from '../../src/platform.js';
import { VERIFICATION_QUEUE } from '../../src/verification/verification.service.js';
import type { Scenario } from '../run.js';

type Person = { nationalCode: string; mobile: string; branch: boolean; wrong: boolean };

function people(n: number, offset: number): Person[] {
  const out: Person[] = [];
  for (let i = offset + 1; out.length < n; i++) {
    const nc = nationalCodeWithCheckDigit(`271${String(i).padStart(6, '0')}`);
    if (!nc) continue;
    // One in ten needs a branch visit, one in twenty typed a wrong birth date.
    out.push({ nationalCode: nc, mobile: `0912${String(i).padStart(7, '0')}`, branch: i % 10 === 0, wrong: i % 20 === 7 });
  }
  return out;
}

const JALALI_BIRTH = '1362-04-18';
const GREGORIAN_BIRTH = jalaliToGregorianIso({ year: 1362, month: 4, day: 18 });
const WRONG_BIRTH = jalaliToGregorianIso({ year: 1362, month: 4, day: 19 });

async function seed(platform: Platform, list: Person[], now: Date): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < list.length; i += 500) {
    const chunk = list.slice(i, i + 500);
    const accounts = await platform.db
      .insertInto('accounts')
      .values(
        chunk.map((p) => ({
          national_code: p.nationalCode,
          status: 'pending_verification' as const,
          origin: 'central' as const,
          first_name: 'علی',
          last_name: 'رضایی',
          gender: 'male' as const,
          birth_date: p.wrong ? WRONG_BIRTH : GREGORIAN_BIRTH,
          birth_certificate_number: p.nationalCode,
          birth_certificate_serial: '983341',
          birth_certificate_series: 'ج/50',
          country: 'IR',
          city: 'تهران',
          mobile: p.mobile,
          mobile_operator: 'mci',
          mobile_verified_at: now,
          password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
          security_question: 'first_school',
          security_answer_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
          created_at: now,
          updated_at: now,
        })),
      )
      .returning('id')
      .execute();
    const requests = await platform.db
      .insertInto('verification_requests')
      .values(accounts.map((a) => ({ account_id: a.id, created_at: now, due_at: now })))
      .returning('id')
      .execute();
    ids.push(...requests.map((r) => r.id));
  }
  return ids;
}

async function pending(platform: Platform): Promise<number> {
  const row = await platform.db
    .selectFrom('verification_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export const scenario: Scenario = {
  name: 'verification',
  description: 'identity verifications per second on one worker (simulated registries; DATABASE_URL or PGlite)',
  async run() {
    const pg = process.env.DATABASE_URL;
    const n = Number(process.env.BENCH_N ?? (pg ? 3000 : 600));
    const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
    const dir = mkdtempSync(path.join(tmpdir(), 'dargah-bench-'));
    const queued = people(n, 0);
    const batchSize = Number(process.env.BENCH_BATCH ?? 100);
    // Pollers in the worker process (pg-boss localConcurrency); PGlite has one connection.
    const pollers = pg ? Number(process.env.BENCH_POLLERS ?? concurrency) : 1;
    const direct = people(n, 500_000);
    const directBatch = people(n, 250_000);
    const everyone = [...queued, ...direct, ...directBatch];
    writeFileSync(
      path.join(dir, 'civil.csv'),
      'nationalCode,firstName,lastName,birthDate,gender,birthCertificateNumber,birthCertificateSerial,birthCertificateSeries,alive\n' +
        everyone.map((p) => `${p.nationalCode},علي,رضایی,${JALALI_BIRTH},male,${p.nationalCode},983341,ج/50,true`).join('\n') + '\n',
    );
    writeFileSync(
      path.join(dir, 'ownership.csv'),
      'nationalCode,mobile,requiresBranchVisit\n' + everyone.map((p) => `${p.nationalCode},${p.mobile},${p.branch}`).join('\n') + '\n',
    );
    const schema = pg ? `bench_${randomBytes(4).toString('hex')}` : undefined;
    const config = loadConfig({
      ...process.env,
      DATA_DIR: dir,
      SECRET_KEY: 'bench-secret-key-bench-secret-key-0123456789',
      LOG_LEVEL: 'silent',
      CIVIL_REGISTRY_CSV: path.join(dir, 'civil.csv'),
      MOBILE_OWNERSHIP_CSV: path.join(dir, 'ownership.csv'),
      DATABASE_POOL_SIZE: String(concurrency + 4),
      SMS_PROVIDER: 'outbox',
    });
    const platform = await createPlatform({
      config,
      logger: pino({ level: 'silent' }),
      database: schema ? { schema } : { memory: true },
    });
    try {
      await platform.queue.start();
      const now = new Date();
      const queuedIds = await seed(platform, queued, now);
      const directIds = await seed(platform, direct, now);
      const directBatchIds = await seed(platform, directBatch, now);

      // (2) first, without the queue: verify() with `concurrency` calls in flight.
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < directIds.length) await platform.verification.verify(directIds[next++]!);
        }),
      );
      const directSeconds = (performance.now() - t0) / 1000;

      // (2b) verifyBatch() on batches of `batchSize`, `batchConcurrency` batches in flight.
      const batchConcurrency = pg ? 4 : 1;
      let nextBatch = 0;
      const tb = performance.now();
      await Promise.all(
        Array.from({ length: batchConcurrency }, async () => {
          while (nextBatch < directBatchIds.length) {
            const ids = directBatchIds.slice(nextBatch, (nextBatch += batchSize));
            await platform.verification.verifyBatch(ids);
          }
        }),
      );
      const directBatchSeconds = (performance.now() - tb) / 1000;

      // (1) the queue: jobs inserted in bulk, then one worker process polls them.
      for (let i = 0; i < queuedIds.length; i += 1000) {
        await platform.queue.boss.insert(VERIFICATION_QUEUE.name, queuedIds.slice(i, i + 1000).map((requestId) => ({ data: { requestId } })));
      }
      const t1 = performance.now();
      await platform.queue.work({ pollingIntervalSeconds: 0.5, batchSize, localConcurrency: pollers });
      while ((await pending(platform)) > 0) await new Promise((r) => setTimeout(r, 100));
      const queueSeconds = (performance.now() - t1) / 1000;

      const outcomes = await platform.db
        .selectFrom('audit_events')
        .select(['event', (eb) => eb.fn.countAll<number>().as('n')])
        .where('event', 'like', 'verification.%')
        .groupBy('event')
        .execute();
      return {
        database: pg ? 'PostgreSQL' : 'PGlite (in memory)',
        'requests per phase': n,
        'direct verify(): concurrency': concurrency,
        'direct verify(): verifications/s': n / directSeconds,
        'direct verifyBatch(): in flight × size': `${batchConcurrency} × ${batchSize}`,
        'direct verifyBatch(): verifications/s': n / directBatchSeconds,
        'queue worker: localConcurrency × batch': `${pollers} × ${batchSize}`,
        'queue worker: verifications/s': n / queueSeconds,
        'queue worker: seconds for all': queueSeconds,
        outcomes: outcomes.map((o) => `${o.event.replace('verification.', '')}=${o.n}`).join(' '),
      };
    } finally {
      await platform.queue.stop();
      if (schema) {
        await platform.database.executeSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await platform.database.executeSql(`DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
      }
      await platform.close();
    }
  },
};
