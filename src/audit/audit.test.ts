import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUDIT_CHAINS, auditChainOf, auditHash, GENESIS_HASH } from './audit.js';

test('one account always lands in one chain; accounts spread over all chains', () => {
  const id = '7f0c1f7e-7b5e-4c1e-9a57-2f9a2c3c9d11';
  assert.equal(auditChainOf({ accountId: id, event: 'a' }), auditChainOf({ accountId: id, actorId: 'staff-1', event: 'b' }));
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) seen.add(auditChainOf({ accountId: `acc-${i}`, event: 'x' }));
  assert.equal(seen.size, AUDIT_CHAINS);
  for (const c of seen) assert.ok(c >= 0 && c < AUDIT_CHAINS);
});

test('the hash covers every field, the chain and the previous hash, whatever the key order', () => {
  const row = { chain: 3, occurredAt: new Date('2026-11-22T08:00:00Z'), actorType: 'person', actorId: 'a', accountId: 'a', event: 'e', data: { x: 1, y: 'z' }, ip: '127.0.0.1' };
  const h = auditHash(GENESIS_HASH, row);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.equal(auditHash(GENESIS_HASH, { ...row, data: { y: 'z', x: 1 } }), h);
  for (const changed of [{ chain: 4 }, { event: 'f' }, { ip: null }, { data: { x: 2, y: 'z' } }, { occurredAt: new Date('2026-11-22T08:00:01Z') }]) {
    assert.notEqual(auditHash(GENESIS_HASH, { ...row, ...changed }), h, JSON.stringify(changed));
  }
  assert.notEqual(auditHash('1'.repeat(64), row), h);
});
