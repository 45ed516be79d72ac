// recordAuditBatch on a real database: events over several chains, mixed with single
// recordAudit calls and with concurrent batches, leave every hash chain intact, and each
// chain's rows follow one another by id.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { auditChainOf, GENESIS_HASH, recordAudit, recordAuditBatch, verifyAuditChain, type AuditEventInput } from '../src/audit/audit.js';
import { createTestEnv, type TestEnv } from './support.js';

const at = new Date('2026-11-22T08:00:00Z');
const event = (accountId: string, i: number): AuditEventInput => ({
  actorType: 'system',
  accountId,
  event: 'test.batch',
  data: { i, nested: { b: 2, a: 1 } },
  at: new Date(at.getTime() + i),
});

describe('recordAuditBatch', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ noApp: true, startQueue: false });
  });
  after(async () => env.close());

  const count = async () =>
    Number((await env.platform.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  test('a batch over several chains, between single events, keeps every chain intact', async () => {
    const db = env.platform.db;
    const accounts = Array.from({ length: 24 }, () => randomUUID());
    await db.transaction().execute(async (trx) => {
      for (const a of accounts.slice(0, 5)) await recordAudit(trx, event(a, 0));
    });
    // Two events per account, interleaved: a chain gets several rows from one batch.
    const inputs = [...accounts.map((a) => event(a, 1)), ...accounts.map((a) => event(a, 2))];
    await db.transaction().execute((trx) => recordAuditBatch(trx, inputs));
    await db.transaction().execute(async (trx) => {
      for (const a of accounts.slice(0, 5)) await recordAudit(trx, event(a, 3));
    });
    await db.transaction().execute((trx) => recordAuditBatch(trx, []));

    const chains = new Set(inputs.map(auditChainOf));
    assert.ok(chains.size >= 5, `several chains (${chains.size})`);
    assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: await count() });

    // Each account's events keep their order (ids increase in input order within a chain).
    for (const a of accounts) {
      const rows = await db.selectFrom('audit_events').select(['id', 'data', 'chain']).where('account_id', '=', a).orderBy('id').execute();
      const order = rows.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data).i);
      assert.deepEqual(order, accounts.indexOf(a) < 5 ? [0, 1, 2, 3] : [1, 2]);
    }
    // A chain that starts in a batch starts from the genesis hash.
    const firsts = await db.selectFrom('audit_events').select(['chain', 'prev_hash']).orderBy('id').execute();
    const seen = new Set<number>();
    for (const r of firsts) {
      if (seen.has(r.chain)) continue;
      seen.add(r.chain);
      assert.equal(r.prev_hash, GENESIS_HASH);
    }
  });

  test('concurrent batches and single writers on the same chains: still one unbroken chain each', async () => {
    const db = env.platform.db;
    const accounts = Array.from({ length: 40 }, () => randomUUID());
    const before = await count();
    await Promise.all([
      ...Array.from({ length: 6 }, (_, k) =>
        db.transaction().execute((trx) => recordAuditBatch(trx, accounts.map((a, i) => event(a, 100 * k + i)))),
      ),
      ...accounts.slice(0, 8).map((a, i) => db.transaction().execute((trx) => recordAudit(trx, event(a, 1000 + i)))),
    ]);
    assert.equal(await count(), before + 6 * 40 + 8);
    assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: await count() });
  });

  test('a batch rolled back leaves nothing, and the chain goes on from where it was', async () => {
    const db = env.platform.db;
    const before = await count();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await recordAuditBatch(trx, [event(randomUUID(), 1), event(randomUUID(), 2)]);
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.equal(await count(), before);
    await db.transaction().execute((trx) => recordAuditBatch(trx, [event(randomUUID(), 3)]));
    assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: before + 1 });
  });
});
