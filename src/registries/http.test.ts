// The http adapters against a fake registry on 127.0.0.1: answers, retries, time limits,
// no retry on 4xx, and the circuit breaker opening and closing. Timings are short and
// nothing asserts on speed, only on behaviour (answers and request counts).

import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createHttpRegistries, type HttpRegistriesOptions, type RegistryLogger } from './http.js';
import { createRegistries } from './index.js';
import type { CivilRecord } from './types.js';

type Seen = { method: string; path: string; headers: IncomingHttpHeaders; body: unknown };
type Reply = { status: number; body?: unknown; delayMs?: number };

/** A registry whose answers the test scripts: `replies` are used in order, then `fallback`. */
async function startFakeRegistry() {
  const seen: Seen[] = [];
  let replies: Reply[] = [];
  let fallback: (request: Seen) => Reply = () => ({ status: 500 });
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request: Seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined };
      seen.push(request);
      const reply = replies.shift() ?? fallback(request);
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
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    script(next: Reply[], otherwise?: (request: Seen) => Reply) {
      replies = [...next];
      if (otherwise) fallback = otherwise;
    },
    reset() {
      seen.length = 0;
      replies = [];
      fallback = () => ({ status: 500 });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const ALI: CivilRecord = {
  nationalCode: '0014789663',
  firstName: 'علي',
  lastName: 'حسین‌زاده',
  birthDate: '1362-04-18',
  gender: 'male',
  birthCertificateNumber: '37042',
  birthCertificateSerial: '983341',
  birthCertificateSeries: 'ج/50',
  alive: true,
};
const MOBILE = '09128890822';

let fake: Awaited<ReturnType<typeof startFakeRegistry>>;
before(async () => {
  fake = await startFakeRegistry();
});
after(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const logs: Array<{ details: Record<string, unknown>; message: string }> = [];
const logger: RegistryLogger = {
  warn: (details, message) => logs.push({ details, message }),
  info: (details, message) => logs.push({ details, message }),
};

function adapters(overrides: Partial<HttpRegistriesOptions> = {}) {
  return createHttpRegistries({
    // Base URLs with a path: requests must go below it.
    civilRegistryUrl: `${fake.url}/civil`,
    mobileOwnershipUrl: `${fake.url}/shahkar/`,
    insuranceRecordsUrl: `${fake.url}/insurance`,
    apiKey: 'test-key',
    // Generous: an answer must never lose to the time limit because the machine stalled.
    timeoutMs: 30_000,
    retries: 2,
    retryMinDelayMs: 5,
    retryMaxDelayMs: 20,
    logger,
    ...overrides,
  });
}

describe('http civil registry', () => {
  it('finds a person: POST with the code in the body, bearer key, only contract fields kept', async () => {
    const registries = adapters();
    fake.script([{ status: 200, body: { ...ALI, fatherName: 'حسن', photo: 'base64…' } }]);
    const result = await registries.civilRegistry.lookup('۰۰۱۴۷۸۹۶۶۳');
    assert.deepEqual(result, { kind: 'found', record: ALI });
    assert.equal(fake.seen.length, 1);
    assert.equal(fake.seen[0]?.method, 'POST');
    assert.equal(fake.seen[0]?.path, '/civil/persons/lookup');
    assert.deepEqual(fake.seen[0]?.body, { nationalCode: '0014789663' });
    assert.equal(fake.seen[0]?.headers.authorization, 'Bearer test-key');
    await registries.close();
  });

  it('404 is not_found', async () => {
    const registries = adapters();
    fake.script([{ status: 404 }]);
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'not_found' });
    assert.equal(fake.seen.length, 1);
    await registries.close();
  });

  it('an invalid national code is not_found without asking the service', async () => {
    const registries = adapters();
    assert.deepEqual(await registries.civilRegistry.lookup('1234567890'), { kind: 'not_found' });
    assert.equal(fake.seen.length, 0);
    await registries.close();
  });

  it('retries a 500 and succeeds on the next answer', async () => {
    const registries = adapters();
    fake.script([{ status: 500 }, { status: 200, body: ALI }]);
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'found', record: ALI });
    assert.equal(fake.seen.length, 2);
    await registries.close();
  });

  it('retries a 429 as well', async () => {
    const registries = adapters();
    fake.script([{ status: 429 }, { status: 503 }, { status: 200, body: ALI }]);
    assert.equal((await registries.civilRegistry.lookup(ALI.nationalCode)).kind, 'found');
    assert.equal(fake.seen.length, 3);
    await registries.close();
  });

  it('gives up after the retries: unavailable, never a "no"', async () => {
    const registries = adapters({ retries: 1 });
    fake.script([], () => ({ status: 502 }));
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'unavailable', reason: 'server_error' });
    assert.equal(fake.seen.length, 2);
    await registries.close();
  });

  it('a slow service is a timeout → unavailable (each attempt timed out)', async () => {
    const registries = adapters({ timeoutMs: 50, retries: 1 });
    fake.script([], () => ({ status: 200, body: ALI, delayMs: 500 }));
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'unavailable', reason: 'timeout' });
    assert.equal(fake.seen.length, 2);
    await registries.close();
  });

  it('a 400 is not retried: unavailable (rejected)', async () => {
    const registries = adapters();
    fake.script([{ status: 400, body: { error: 'bad request' } }, { status: 200, body: ALI }]);
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'unavailable', reason: 'rejected' });
    assert.equal(fake.seen.length, 1);
    await registries.close();
  });

  it('an answer that breaks the format, or is about another person, is bad_response', async () => {
    const registries = adapters();
    fake.script([
      { status: 200, body: { ...ALI, birthDate: '1362-13-01' } },
      { status: 200, body: { ...ALI, nationalCode: 14789663 } },
      { status: 200, body: { ...ALI, nationalCode: '0027383891' } },
      { status: 200, body: 'not an object' },
    ]);
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'unavailable', reason: 'bad_response' });
    }
    assert.equal(fake.seen.length, 4);
    await registries.close();
  });

  it('a refused connection is network_error', async () => {
    const closed = await startFakeRegistry();
    const url = closed.url;
    await closed.close();
    const registries = adapters({ civilRegistryUrl: url, retries: 1 });
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'unavailable', reason: 'network_error' });
    await registries.close();
  });
});

describe('http mobile ownership', () => {
  it('match (with and without a branch visit) and mismatch', async () => {
    const registries = adapters();
    fake.script([
      { status: 200, body: { matched: true, requiresBranchVisit: false } },
      { status: 200, body: { matched: true, requiresBranchVisit: true } },
      { status: 200, body: { matched: false } },
    ]);
    assert.deepEqual(await registries.mobileOwnership.check(ALI.nationalCode, '+98 912 889 0822'), { kind: 'match', requiresBranchVisit: false });
    assert.deepEqual(await registries.mobileOwnership.check(ALI.nationalCode, MOBILE), { kind: 'match', requiresBranchVisit: true });
    assert.deepEqual(await registries.mobileOwnership.check(ALI.nationalCode, MOBILE), { kind: 'mismatch' });
    assert.equal(fake.seen[0]?.path, '/shahkar/ownership');
    assert.deepEqual(fake.seen[0]?.body, { nationalCode: ALI.nationalCode, mobile: MOBILE });
    await registries.close();
  });

  it('a match that does not say whether a branch visit is needed is bad_response, not a silent "no visit"', async () => {
    const registries = adapters();
    fake.script([{ status: 200, body: { matched: true } }]);
    assert.deepEqual(await registries.mobileOwnership.check(ALI.nationalCode, MOBILE), { kind: 'unavailable', reason: 'bad_response' });
    await registries.close();
  });

  it('a malformed number is a mismatch without asking', async () => {
    const registries = adapters();
    assert.deepEqual(await registries.mobileOwnership.check(ALI.nationalCode, '0912'), { kind: 'mismatch' });
    assert.equal(fake.seen.length, 0);
    await registries.close();
  });
});

describe('http insurance records', () => {
  const record = { nationalCode: ALI.nationalCode, foreignNationalId: null, insuranceNumber: '1458620412', branchCode: '112', insuranceGroup: 'self_employed' };
  const foreign = { nationalCode: null, foreignNationalId: '445328824738', insuranceNumber: '8079754923', branchCode: '112', insuranceGroup: 'voluntary' };

  it('found, empty list → not_found, 404 → not_found, foreign national by identifier', async () => {
    const registries = adapters();
    fake.script([
      { status: 200, body: { records: [record, { ...record, insuranceNumber: '3075390767', insuranceGroup: 'compulsory' }] } },
      { status: 200, body: { records: [] } },
      { status: 404 },
      { status: 200, body: { records: [foreign] } },
    ]);
    const found = await registries.insuranceRecords.findByPerson({ nationalCode: ALI.nationalCode });
    assert.equal(found.kind, 'found');
    assert.equal(found.kind === 'found' && found.records.length, 2);
    assert.deepEqual(await registries.insuranceRecords.findByPerson({ nationalCode: ALI.nationalCode }), { kind: 'not_found' });
    assert.deepEqual(await registries.insuranceRecords.findByPerson({ nationalCode: ALI.nationalCode }), { kind: 'not_found' });
    assert.deepEqual(await registries.insuranceRecords.findByPerson({ foreignNationalId: '445328824738' }), { kind: 'found', records: [foreign] });
    assert.equal(fake.seen[0]?.path, '/insurance/insured/search');
    assert.deepEqual(fake.seen[3]?.body, { foreignNationalId: '445328824738' });
    await registries.close();
  });

  it("another person's record or an unknown group is bad_response", async () => {
    const registries = adapters();
    fake.script([
      { status: 200, body: { records: [{ ...record, nationalCode: '0027383891' }] } },
      { status: 200, body: { records: [{ ...record, insuranceGroup: 'pilots' }] } },
    ]);
    assert.deepEqual(await registries.insuranceRecords.findByPerson({ nationalCode: ALI.nationalCode }), { kind: 'unavailable', reason: 'bad_response' });
    assert.deepEqual(await registries.insuranceRecords.findByPerson({ nationalCode: ALI.nationalCode }), { kind: 'unavailable', reason: 'bad_response' });
    await registries.close();
  });
});

describe('http circuit breaker', () => {
  it('opens after repeated failures (no more requests reach the service), then closes after its reset time', async (t) => {
    // The reset time passes when the test says so, never while a loaded machine is slow.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const registries = adapters({ retries: 0, circuitBreaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 150 } });
    fake.script([], () => ({ status: 503 }));
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'unavailable', reason: 'server_error' });
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'unavailable', reason: 'server_error' });
    assert.equal(registries.circuits().civilRegistry, 'open');

    const before = fake.seen.length;
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'unavailable', reason: 'circuit_open' });
    assert.equal(fake.seen.length, before, 'an open circuit does not call the service');
    // One circuit per service: the others still answer.
    fake.script([{ status: 200, body: { matched: false } }]);
    assert.deepEqual(await registries.mobileOwnership.check(ALI.nationalCode, MOBILE), { kind: 'mismatch' });
    assert.equal(registries.circuits().mobileOwnership, 'closed');

    // The service recovers; after the reset time one trial call goes through and closes the circuit.
    fake.script([], () => ({ status: 200, body: ALI }));
    t.mock.timers.tick(149);
    assert.equal(registries.circuits().civilRegistry, 'open');
    t.mock.timers.tick(1);
    assert.equal(registries.circuits().civilRegistry, 'half_open');
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'found', record: ALI });
    assert.equal(registries.circuits().civilRegistry, 'closed');
    assert.equal((await registries.civilRegistry.lookup(ALI.nationalCode)).kind, 'found');
    await registries.close();
  });

  it('4xx answers do not open the circuit', async () => {
    const registries = adapters({ retries: 0, circuitBreaker: { volumeThreshold: 2, resetTimeoutMs: 10_000 } });
    fake.script([], () => ({ status: 400 }));
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'unavailable', reason: 'rejected' });
    }
    assert.equal(registries.circuits().civilRegistry, 'closed');
    assert.equal(fake.seen.length, 5);
    await registries.close();
  });
});

describe('http adapters: logs and configuration', () => {
  it('never log a full national code or mobile number', async () => {
    logs.length = 0;
    const registries = adapters({ retries: 1 });
    fake.script([], () => ({ status: 500 }));
    await registries.civilRegistry.lookup(ALI.nationalCode);
    await registries.mobileOwnership.check(ALI.nationalCode, MOBILE);
    await registries.insuranceRecords.findByPerson({ nationalCode: ALI.nationalCode });
    assert.ok(logs.length > 0);
    const text = JSON.stringify(logs);
    assert.ok(!text.includes(ALI.nationalCode) && !text.includes(MOBILE) && !text.includes(MOBILE.slice(1)), text);
    await registries.close();
  });

  it('rejects a base URL that is not http(s) at start', () => {
    assert.throws(() => adapters({ civilRegistryUrl: 'ftp://registry.example/' }), /civilRegistry URL must be http/);
    assert.throws(() => adapters({ insuranceRecordsUrl: 'not a url' }), /insuranceRecords URL/);
  });

  it('createRegistries in http mode: fault switches and call counts wrap the real adapters', async () => {
    const faults = { civilRegistry: 'unavailable' as const };
    const registries = await createRegistries({
      mode: 'http',
      faults,
      http: {
        civilRegistryUrl: fake.url,
        mobileOwnershipUrl: fake.url,
        insuranceRecordsUrl: fake.url,
        medicalCouncilUrl: fake.url,
        timeoutMs: 30_000,
        retries: 0,
      },
    });
    fake.script([], () => ({ status: 200, body: ALI }));
    assert.deepEqual(await registries.civilRegistry.lookup(ALI.nationalCode), { kind: 'unavailable', reason: 'simulated_outage' });
    assert.equal(fake.seen.length, 0);
    registries.faults.civilRegistry = null;
    assert.equal((await registries.civilRegistry.lookup(ALI.nationalCode)).kind, 'found');
    assert.equal(registries.calls.civilRegistry, 2);
    await registries.close();
  });

  it('createRegistries in http mode without http options is a clear configuration error', async () => {
    await assert.rejects(createRegistries({ mode: 'http' }), /mode "http" needs the http options/);
  });
});
