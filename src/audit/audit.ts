// Audit events: appended in the caller's transaction, each carrying the hash of the one
// before it in its chain, so that a changed or removed row breaks the chain (see
// verifyAuditChain). The trail is AUDIT_CHAINS chains, one per account bucket: writers for
// different accounts proceed in parallel; one account's events always share a chain.
//
// Links are keyed (hash_version 2): HMAC-SHA-256 under a key derived from SECRET_KEY, which
// is never stored in the database, so whoever can write the table (even with the trigger
// dropped) cannot re-hash a changed chain so that it verifies. Rows written before migration
// 0600 keep their plain SHA-256 links (hash_version 1) and still verify; every row from
// `audit_keyed_since.first_keyed_id` on must be keyed (no downgrade to version 1). A change to
// a version-1 row also breaks the first keyed row after it in its chain.
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import type { Queryable } from '../db/database.js';

export type AuditEventInput = {
  actorType: 'person' | 'staff' | 'system';
  actorId?: string | null;
  accountId?: string | null;
  event: string;
  /** No personal data here: masked identifiers and codes only. */
  data?: Record<string, unknown>;
  ip?: string | null;
  at: Date;
};

export const GENESIS_HASH = '0'.repeat(64);

/** Number of parallel hash chains. Changing it later keeps old rows valid (each row names its chain). */
export const AUDIT_CHAINS = 16;

/** The chain of an event: by account when there is one, else by actor, else by event name. */
export function auditChainOf(input: { accountId?: string | null; actorId?: string | null; event: string }): number {
  const key = input.accountId ?? input.actorId ?? input.event;
  return createHash('sha256').update(key).digest().readUInt16BE(0) % AUDIT_CHAINS;
}

/** Canonical JSON (sorted keys) so that the hash does not depend on key order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

type AuditRowContent = {
  chain: number; occurredAt: Date; actorType: string; actorId: string | null; accountId: string | null;
  event: string; data: Record<string, unknown>; ip: string | null;
};

let processKey: Buffer | undefined;
/**
 * Keys the audit chain of this process. `createSecrets` calls it with the key it derives
 * from SECRET_KEY, so every process that has its secrets (web, worker, CLI) writes keyed rows.
 */
export function useAuditKey(key: Buffer): void {
  processKey = key;
}
// The key imported once per Buffer: createHmac with raw bytes imports it on every call, 14 µs
// against 1.8 µs with a KeyObject (Node 24), once per event and once per row a check reads.
const imported = new WeakMap<Buffer, KeyObject>();
function keyOf(key: Buffer | undefined): KeyObject {
  const k = key ?? processKey;
  if (!k) throw new Error('the audit chain key is not set (createSecrets derives it from SECRET_KEY)');
  let object = imported.get(k);
  if (!object) imported.set(k, (object = createSecretKey(k)));
  return object;
}

/** Version 2 (current): HMAC-SHA-256 of the previous hash and the row, under the audit key. */
export function keyedAuditHash(key: KeyObject, prevHash: string, row: AuditRowContent): string {
  return createHmac('sha256', key).update('dargah-audit-v2\n').update(prevHash).update('\n').update(rowBody(row)).digest('hex');
}

/** Version 1 (rows before migration 0600): plain SHA-256. Verified, never written. */
export function auditHash(prevHash: string, row: AuditRowContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(rowBody(row)).digest('hex');
}

function rowBody(row: AuditRowContent): string {
  return canonical({
    chain: row.chain,
    occurredAt: row.occurredAt.toISOString(),
    actorType: row.actorType,
    actorId: row.actorId,
    accountId: row.accountId,
    event: row.event,
    data: row.data,
    ip: row.ip,
  });
}

export async function recordAudit(trx: Queryable, input: AuditEventInput): Promise<void> {
  const chain = auditChainOf(input);
  // One writer at a time extends a chain; the lock ends with the caller's transaction.
  await sql`SELECT pg_advisory_xact_lock(7265771, ${chain}::int)`.execute(trx);
  const last = await trx
    .selectFrom('audit_events')
    .select('hash')
    .where('chain', '=', chain)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = {
    chain,
    occurredAt: input.at,
    actorType: input.actorType,
    actorId: input.actorId ?? null,
    accountId: input.accountId ?? null,
    event: input.event,
    data: input.data ?? {},
    ip: input.ip ?? null,
  };
  await trx
    .insertInto('audit_events')
    .values({
      occurred_at: row.occurredAt,
      actor_type: row.actorType,
      actor_id: row.actorId,
      account_id: row.accountId,
      event: row.event,
      data: JSON.stringify(row.data),
      ip: row.ip,
      chain,
      prev_hash: prevHash,
      hash: keyedAuditHash(keyOf(undefined), prevHash, row),
      hash_version: 2,
    })
    .execute();
}

/**
 * Appends several events in one go, as `recordAudit` would one after the other: the chains
 * they touch are locked in ascending order (two batches never wait on each other in a
 * circle), then each chain's last hash is read once, the links are computed here, and all
 * rows go in one multi-row INSERT ordered by chain and then by input order, so that ids grow
 * along each chain (verifyAuditChain walks a chain by id). Three statements whatever the size.
 */
export async function recordAuditBatch(trx: Queryable, inputs: readonly AuditEventInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const byChain = new Map<number, AuditEventInput[]>();
  for (const input of inputs) {
    const chain = auditChainOf(input);
    const list = byChain.get(chain);
    if (list) list.push(input);
    else byChain.set(chain, [input]);
  }
  const chains = [...byChain.keys()].sort((a, b) => a - b);
  // unnest yields the array in order: the locks are taken in ascending chain order.
  await sql`SELECT pg_advisory_xact_lock(7265771, c) FROM unnest(${chains}::int[]) AS c`.execute(trx);
  // A statement of its own, after the locks: its snapshot sees what the previous holders committed.
  const last = await sql<{ chain: number; hash: string | null }>`
    SELECT c AS chain, (SELECT e.hash FROM audit_events e WHERE e.chain = c ORDER BY e.id DESC LIMIT 1) AS hash
    FROM unnest(${chains}::int[]) AS c`.execute(trx);
  const lastHash = new Map(last.rows.map((r) => [Number(r.chain), r.hash ?? GENESIS_HASH]));
  const key = keyOf(undefined);
  const rows = [];
  for (const chain of chains) {
    let prevHash = lastHash.get(chain) ?? GENESIS_HASH;
    for (const input of byChain.get(chain)!) {
      const row = {
        chain,
        occurredAt: input.at,
        actorType: input.actorType,
        actorId: input.actorId ?? null,
        accountId: input.accountId ?? null,
        event: input.event,
        data: input.data ?? {},
        ip: input.ip ?? null,
      };
      const hash = keyedAuditHash(key, prevHash, row);
      rows.push({
        occurred_at: row.occurredAt,
        actor_type: row.actorType,
        actor_id: row.actorId,
        account_id: row.accountId,
        event: row.event,
        data: JSON.stringify(row.data),
        ip: row.ip,
        chain,
        prev_hash: prevHash,
        hash,
        hash_version: 2,
      });
      prevHash = hash;
    }
  }
  await trx.insertInto('audit_events').values(rows).execute();
}

export type AuditChainReport =
  | { ok: true; checked: number }
  /** `id` is the first row whose link is broken: its own content changed (`hash`) or the row before it changed or vanished (`prev_hash`). */
  | { ok: false; checked: number; brokenAt: { id: number; reason: 'hash' | 'prev_hash' } };

/**
 * Walks every chain in id order, recomputing every hash, and names the first (lowest id)
 * broken link. Cut from the end (a chain's newest rows deleted) cannot be seen from the
 * chain alone; the database trigger refuses DELETE for that reason.
 */
export async function verifyAuditChain(db: Queryable, options: { batchSize?: number; key?: Buffer } = {}): Promise<AuditChainReport> {
  const batchSize = options.batchSize ?? 1000;
  const key = keyOf(options.key);
  // The smallest boundary counts (a row added later can only narrow the plain-hash era); none: all keyed.
  const since = await sql<{ first: string | number | null }>`SELECT min(first_keyed_id) AS first FROM audit_keyed_since`.execute(db);
  const firstKeyedId = Number(since.rows[0]?.first ?? 1);
  const chains = await db.selectFrom('audit_events').select('chain').distinct().execute();
  let checked = 0;
  let firstBroken: { id: number; reason: 'hash' | 'prev_hash' } | undefined;
  for (const { chain } of chains) {
    let prevHash = GENESIS_HASH;
    let lastId = 0;
    walk: for (;;) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('chain', '=', chain)
        .where('id', '>', lastId)
        .orderBy('id')
        .limit(batchSize)
        .execute();
      if (rows.length === 0) break;
      for (const r of rows) {
        const id = Number(r.id);
        let broken: 'hash' | 'prev_hash' | undefined;
        if (r.prev_hash !== prevHash) broken = 'prev_hash';
        else {
          const version = Number(r.hash_version);
          const content = {
            chain: r.chain,
            occurredAt: r.occurred_at,
            actorType: r.actor_type,
            actorId: r.actor_id,
            accountId: r.account_id,
            event: r.event,
            data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
            ip: r.ip,
          };
          const expected =
            version === 2 ? keyedAuditHash(key, r.prev_hash, content)
            : version === 1 && id < firstKeyedId ? auditHash(r.prev_hash, content)
            : undefined; // unknown version, or a keyed-era row claiming the plain hash
          if (expected !== r.hash) broken = 'hash';
        }
        if (broken) {
          if (!firstBroken || id < firstBroken.id) firstBroken = { id, reason: broken };
          break walk;
        }
        prevHash = r.hash;
        lastId = id;
        checked++;
      }
    }
  }
  return firstBroken ? { ok: false, checked, brokenAt: firstBroken } : { ok: true, checked };
}
