// SQL of insured registration: the account it creates and the permissions granted after
// the first password change.
import type { Queryable } from '../db/database.js';
import type { PersonId } from '../registries/index.js';

export async function accountExistsFor(db: Queryable, person: PersonId): Promise<boolean> {
  const q = db.selectFrom('accounts').select('id');
  const row = await ('nationalCode' in person
    ? q.where('national_code', '=', person.nationalCode)
    : q.where('foreign_national_id', '=', person.foreignNationalId)
  ).executeTakeFirst();
  return row !== undefined;
}

export type NewInsuredAccount = {
  person: PersonId;
  mobile: string | null;
  email: string | null;
  passwordHash: string;
  initialPasswordExpiresAt: Date;
  createdAt: Date;
};

/** Inserts the active account; null when the identifier already has one (a race lost). */
export async function insertInsuredAccount(db: Queryable, a: NewInsuredAccount): Promise<string | null> {
  const row = await db
    .insertInto('accounts')
    .values({
      national_code: 'nationalCode' in a.person ? a.person.nationalCode : null,
      foreign_national_id: 'foreignNationalId' in a.person ? a.person.foreignNationalId : null,
      status: 'active',
      origin: 'insured',
      mobile: a.mobile,
      email: a.email,
      password_hash: a.passwordHash,
      must_change_password: true,
      initial_password_expires_at: a.initialPasswordExpiresAt,
      created_at: a.createdAt,
      updated_at: a.createdAt,
      activated_at: a.createdAt,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The row a permission grant decides on, locked for the rest of the transaction. */
export function findAccountForGrant(db: Queryable, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['id', 'origin', 'status', 'must_change_password', 'permissions'])
    .where('id', '=', accountId)
    .forUpdate()
    .executeTakeFirst();
}

export async function setPermissions(db: Queryable, accountId: string, permissions: string[], at: Date) {
  await db
    .updateTable('accounts')
    .set({ permissions, initial_password_expires_at: null, updated_at: at })
    .where('id', '=', accountId)
    .execute();
}
