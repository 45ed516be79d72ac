// Audit events: appended in the caller's transaction, each carrying the hash of the one
// before it, so that a changed or removed row breaks the chain (see verifyAuditChain).
import { createHash } from 'node:crypto';
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

/** Canonical JSON (sorted keys) so that the hash does not depend on key order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function auditHash(prevHash: string, row: {
  occurredAt: Date; actorType: string; actorId: string | null; accountId: string | null;
  event: string; data: Record<string, unknown>; ip: string | null;
}): string {
  const body = canonical({
    occurredAt: row.occurredAt.toISOString(),
    actorType: row.actorType,
    actorId: row.actorId,
    accountId: row.accountId,
    event: row.event,
    data: row.data,
    ip: row.ip,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export async function recordAudit(trx: Queryable, input: AuditEventInput): Promise<void> {
  // One writer at a time extends the chain; the lock ends with the caller's transaction.
  await sql`SELECT pg_advisory_xact_lock(7265771)`.execute(trx);
  const last = await trx.selectFrom('audit_events').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = {
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
      prev_hash: prevHash,
      hash: auditHash(prevHash, row),
    })
    .execute();
}

export type AuditChainReport =
  | { ok: true; checked: number }
  /** `id` is the first row whose link is broken: its own content changed (`hash`) or the row before it changed or vanished (`prev_hash`). */
  | { ok: false; checked: number; brokenAt: { id: number; reason: 'hash' | 'prev_hash' } };

/**
 * Walks the whole chain in id order, recomputing every hash. Cut from the end (the
 * newest rows deleted) cannot be seen from the chain alone; the database trigger refuses
 * DELETE for that reason.
 */
export async function verifyAuditChain(db: Queryable, options: { batchSize?: number } = {}): Promise<AuditChainReport> {
  const batchSize = options.batchSize ?? 1000;
  let prevHash = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return { ok: true, checked };
    for (const r of rows) {
      const id = Number(r.id);
      if (r.prev_hash !== prevHash) return { ok: false, checked, brokenAt: { id, reason: 'prev_hash' } };
      const expected = auditHash(r.prev_hash, {
        occurredAt: r.occurred_at,
        actorType: r.actor_type,
        actorId: r.actor_id,
        accountId: r.account_id,
        event: r.event,
        data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
        ip: r.ip,
      });
      if (expected !== r.hash) return { ok: false, checked, brokenAt: { id, reason: 'hash' } };
      prevHash = r.hash;
      lastId = id;
      checked++;
    }
  }
}
