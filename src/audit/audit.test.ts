import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSecretKey } from 'node:crypto';
import { AUDIT_CHAINS, auditChainOf, auditHash, GENESIS_HASH, keyedAuditHash } from './audit.js';

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

test('a keyed link is the same with the key imported once as with its raw bytes (stored chains still verify)', () => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef');
  const row = { chain: 1, occurredAt: new Date('2026-12-02T08:00:00Z'), actorType: 'person', actorId: 'a', accountId: 'a', event: 'e', data: { x: 1 }, ip: null };
  // Written by the former keyedAuditHash, which took the key as a Buffer.
  assert.equal(keyedAuditHash(createSecretKey(key), GENESIS_HASH, row), '1c4ce67b8ef293ae2df06f5d3d884c92c6ddb468ad403d21e0f2efc9f2c142a9');
  assert.notEqual(keyedAuditHash(createSecretKey(Buffer.from('another key, another chain......')), GENESIS_HASH, row), '1c4ce67b8ef293ae2df06f5d3d884c92c6ddb468ad403d21e0f2efc9f2c142a9');
});
