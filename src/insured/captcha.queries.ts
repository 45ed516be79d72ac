// SQL of captcha replay protection: one row per used challenge until it expires.
import type { Queryable } from '../db/database.js';

/** Records a use; false when the challenge was used before (a replay). */
export async function recordCaptchaUse(db: Queryable, challengeHash: string, expiresAt: Date): Promise<boolean> {
  const row = await db
    .insertInto('captcha_uses')
    .values({ challenge_hash: challengeHash, expires_at: expiresAt })
    .onConflict((oc) => oc.column('challenge_hash').doNothing())
    .returning('challenge_hash')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteExpiredCaptchaUses(db: Queryable, now: Date): Promise<number> {
  const r = await db.deleteFrom('captcha_uses').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
