// The medical council registry: its CSV file (the shipped demo file and bad rows), the
// simulated adapter with its fault switch, and the http adapter against a fake registry on
// 127.0.0.1 (answers, retries, time limit, no retry on 4xx, bad answers, circuit breaker).
// Nothing asserts on speed, only on behaviour.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { RegistryDataError } from './csv.js';
import { createRegistries, DEMO_CSV_PATHS } from './index.js';
import { createHttpMedicalCouncil, createSimulatedMedicalCouncil, loadMedicalCouncilCsv, type HttpMedicalCouncilOptions } from './medicalCouncil.js';
import type { RegistryFaults } from './faults.js';
import type { MedicalCouncilRecord } from './types.js';

const HEADER = 'medicalCouncilNumber,nationalCode,firstName,lastName,specialty,licenceValidUntil';
const DOCTOR: MedicalCouncilRecord = {
  medicalCouncilNumber: '19316',
  nationalCode: '0014789663',
  firstName: 'علی',
  lastName: 'رضایی',
  specialty: 'جراحی عمومی',
  licenceValidUntil: '1408-12-29',
};

describe('medical council CSV', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dargah-mc-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string) => {
    const f = path.join(dir, name);
    await writeFile(f, text, 'utf8');
    return f;
  };

  it('loads the shipped demo file: its doctors are demo people', async () => {
    const doctors = await loadMedicalCouncilCsv(DEMO_CSV_PATHS.medicalCouncil);
    assert.ok(doctors.length >= 5);
    assert.deepEqual(doctors[0], DOCTOR);
  });

  it('accepts Persian digits and slashes in dates, and canonicalises them', async () => {
    const f = await file('fa.csv', `${HEADER}\n۱۹۳۱۶,۰۰۱۴۷۸۹۶۶۳,علی,رضایی,  جراحی   عمومی ,۱۴۰۸/۱۲/۲۹\n`);
    assert.deepEqual(await loadMedicalCouncilCsv(f), [DOCTOR]);
  });

  it('names the file, line and column of a bad row', async () => {
    const cases: [string, string, RegExp][] = [
      ['date.csv', `${HEADER}\n19316,0014789663,علی,رضایی,جراحی,1408-13-01\n`, /line 2, column 6 \(licenceValidUntil\)/],
      ['code.csv', `${HEADER}\n19316,0014789664,علی,رضایی,جراحی,1408-12-29\n`, /line 2, column 2 \(nationalCode\)/],
      ['number.csv', `${HEADER}\nن19316,0014789663,علی,رضایی,جراحی,1408-12-29\n`, /line 2, column 1 \(medicalCouncilNumber\)/],
      ['specialty.csv', `${HEADER}\n19316,0014789663,علی,رضایی, ,1408-12-29\n`, /line 2, column 5 \(specialty\)/],
      ['twice.csv', `${HEADER}\n19316,0014789663,علی,رضایی,جراحی,1408-12-29\n019316,1282871242,مریم,احمدی,کودکان,1409-01-01\n`, /line 3.*already appears on line 2/],
      ['header.csv', 'medicalCouncilNumber,nationalCode,firstName,lastName,specialty\n', /missing column\(s\) licenceValidUntil/],
    ];
    for (const [name, text, message] of cases) {
      await assert.rejects(loadMedicalCouncilCsv(await file(name, text)), (e: unknown) => e instanceof RegistryDataError && message.test(e.message), name);
    }
  });
});

describe('simulated medical council', () => {
  it('finds by number (any digits, leading zeros), not_found otherwise; the fault switch makes it unavailable', async () => {
    const faults: RegistryFaults = {};
    const council = createSimulatedMedicalCouncil([DOCTOR], { faults });
    assert.deepEqual(await council.lookup('۰۱۹۳۱۶'), { kind: 'found', record: DOCTOR });
    assert.deepEqual(await council.lookup('19317'), { kind: 'not_found' });
    assert.deepEqual(await council.lookup('abc'), { kind: 'not_found' });
    faults.medicalCouncil = 'unavailable';
    assert.deepEqual(await council.lookup('19316'), { kind: 'unavailable', reason: 'simulated_outage' });
    faults.medicalCouncil = 'timeout';
    assert.deepEqual(await council.lookup('19316'), { kind: 'unavailable', reason: 'timeout' });
    assert.equal(council.calls(), 5);
  });

  it('createRegistries loads it from csv.medicalCouncil and shares the fault switches', async () => {
    const faults: RegistryFaults = {};
    const registries = await createRegistries({ mode: 'simulated', faults });
    assert.equal((await registries.medicalCouncil.lookup('19316')).kind, 'found');
    registries.faults.medicalCouncil = 'unavailable';
    assert.equal((await registries.medicalCouncil.lookup('19316')).kind, 'unavailable');
    assert.equal((await registries.civilRegistry.lookup('0014789663')).kind, 'found', 'the other registries still answer');
    await registries.close();
  });
});

type Seen = { method: string; path: string; headers: IncomingHttpHeaders; body: unknown };
type Reply = { status: number; body?: unknown; delayMs?: number };

async function startFakeCouncil() {
  const seen: Seen[] = [];
  let replies: Reply[] = [];
  let fallback: Reply = { status: 500 };
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
      const reply = replies.shift() ?? fallback;
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, reply.delayMs);
        timers.add(timer);
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    script(next: Reply[], otherwise: Reply = { status: 500 }) {
      replies = [...next];
      fallback = otherwise;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('http medical council', () => {
  let fake: Awaited<ReturnType<typeof startFakeCouncil>>;
  before(async () => {
    fake = await startFakeCouncil();
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.seen.length = 0;
    fake.script([]);
  });
  const council = (o: Partial<HttpMedicalCouncilOptions> = {}) =>
    createHttpMedicalCouncil({
      medicalCouncilUrl: `${fake.url}/council`,
      apiKey: 'test-key',
      timeoutMs: 2_000,
      retries: 2,
      retryMinDelayMs: 5,
      retryMaxDelayMs: 20,
      ...o,
    });

  it('looks a number up: POST with the number in the body, bearer key; only contract fields kept', async () => {
    const c = council();
    fake.script([{ status: 200, body: { ...DOCTOR, medicalCouncilNumber: '019316', extra: 'dropped' } }]);
    assert.deepEqual(await c.lookup('۱۹۳۱۶'), { kind: 'found', record: DOCTOR });
    assert.equal(fake.seen[0]?.method, 'POST');
    assert.equal(fake.seen[0]?.path, '/council/doctors/lookup');
    assert.deepEqual(fake.seen[0]?.body, { medicalCouncilNumber: '19316' });
    assert.equal(fake.seen[0]?.headers.authorization, 'Bearer test-key');
    await c.close();
  });

  it('404 is not_found; a malformed number is not_found without asking', async () => {
    const c = council();
    fake.script([{ status: 404 }]);
    assert.deepEqual(await c.lookup('19316'), { kind: 'not_found' });
    assert.deepEqual(await c.lookup('12x'), { kind: 'not_found' });
    assert.equal(fake.seen.length, 1);
    await c.close();
  });

  it('retries 5xx and 429, then answers; gives up after the retries as unavailable (never a "no")', async () => {
    const c = council();
    fake.script([{ status: 503 }, { status: 429 }, { status: 200, body: DOCTOR }]);
    assert.equal((await c.lookup('19316')).kind, 'found');
    assert.equal(fake.seen.length, 3);
    fake.seen.length = 0;
    fake.script([], { status: 500 });
    assert.deepEqual(await c.lookup('19316'), { kind: 'unavailable', reason: 'server_error' });
    assert.equal(fake.seen.length, 3);
    await c.close();
  });

  it('a slow registry is a timeout; a 400 is not retried (rejected)', async () => {
    const c = council({ timeoutMs: 100, retries: 1 });
    fake.script([], { status: 200, body: DOCTOR, delayMs: 1_000 });
    assert.deepEqual(await c.lookup('19316'), { kind: 'unavailable', reason: 'timeout' });
    fake.seen.length = 0;
    fake.script([{ status: 400, body: { error: 'bad' } }]);
    assert.deepEqual(await c.lookup('19316'), { kind: 'unavailable', reason: 'rejected' });
    assert.equal(fake.seen.length, 1);
    await c.close();
  });

  it('an answer that breaks the format, or is about another number, is bad_response', async () => {
    const c = council();
    for (const body of [{ ...DOCTOR, licenceValidUntil: '1408-13-40' }, { ...DOCTOR, medicalCouncilNumber: '19317' }, [DOCTOR], 'text', { ...DOCTOR, nationalCode: 14789663 }]) {
      fake.script([{ status: 200, body }]);
      assert.deepEqual(await c.lookup('19316'), { kind: 'unavailable', reason: 'bad_response' }, JSON.stringify(body));
    }
    await c.close();
  });

  it('opens its circuit after repeated failures (the registry is not called), closes after the reset time', async () => {
    const c = council({ retries: 0, circuitBreaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 150 } });
    fake.script([], { status: 500 });
    await c.lookup('19316');
    await c.lookup('19316');
    assert.equal(c.circuit(), 'open');
    const before = fake.seen.length;
    assert.deepEqual(await c.lookup('19316'), { kind: 'unavailable', reason: 'circuit_open' });
    assert.equal(fake.seen.length, before);
    fake.script([], { status: 200, body: DOCTOR });
    for (let i = 0; i < 500 && c.circuit() !== 'half_open'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal((await c.lookup('19316')).kind, 'found');
    assert.equal(c.circuit(), 'closed');
    await c.close();
  });

  it('createRegistries in http mode needs the medical council URL', async () => {
    await assert.rejects(
      createRegistries({ mode: 'http', http: { civilRegistryUrl: fake.url, mobileOwnershipUrl: fake.url, insuranceRecordsUrl: fake.url, timeoutMs: 1_000, retries: 0 } }),
      /needs the medical council URL/,
    );
  });
});
