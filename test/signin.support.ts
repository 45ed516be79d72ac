// Test helpers of sign-in, recovery and account tests: accounts inserted directly (the
// activation itself is verification's job), API sign-in, and reading the outbox.
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../src/platform.js';
import { nationalCodeWithCheckDigit } from '../src/identity/nationalCode.js';
import { normalizeSecurityAnswer } from '../src/identity/securityAnswer.js';
import { lastSmsTo } from './support.js';

export const PASSWORD = 'Gorbeh!Sabz42';
export const NEW_PASSWORD = 'Kouh#Damavand57';

let seq = 0;
/**
 * A valid national code not used before in this process: 3, six digits of a sequence, 12 and
 * the check digit. The test files of a worker share one process (scripts/test.mjs), so the
 * sequence must outlast all of them (it once had room for 99 codes, and the 100th never came).
 */
export function nextNationalCode(): string {
  for (;;) {
    seq++;
    if (seq > 999_999) throw new Error('nextNationalCode: the sequence is used up');
    const code = nationalCodeWithCheckDigit(`3${String(seq).padStart(6, '0')}12`);
    if (code) return code;
  }
}
let mobileSeq = 0;
export const nextMobile = () => `0935${String(1000000 + ++mobileSeq).slice(1).padStart(7, '0')}`;

export type TestAccount = { id: string; nationalCode: string; mobile: string; password: string };

export async function insertAccount(
  platform: Platform,
  a: {
    nationalCode?: string;
    foreignNationalId?: string;
    mobile?: string;
    password?: string;
    status?: 'pending_verification' | 'awaiting_branch_visit' | 'active';
    mustChangePassword?: boolean;
    securityQuestion?: string;
    securityAnswer?: string;
    firstName?: string;
    lastName?: string;
    disabled?: boolean;
  } = {},
): Promise<TestAccount> {
  const nationalCode = a.nationalCode ?? nextNationalCode();
  const mobile = a.mobile ?? nextMobile();
  const password = a.password ?? PASSWORD;
  const row = await platform.db
    .insertInto('accounts')
    .values({
      national_code: a.foreignNationalId ? null : nationalCode,
      foreign_national_id: a.foreignNationalId ?? null,
      status: a.status ?? 'active',
      origin: 'central',
      first_name: a.firstName ?? 'مریم',
      last_name: a.lastName ?? 'کاظمی',
      gender: 'female',
      birth_date: '1990-04-05',
      mobile,
      mobile_operator: 'mci',
      password_hash: await platform.hasher.hash(password),
      security_question: a.securityQuestion ?? 'first_school',
      security_answer_hash: await platform.hasher.hash(normalizeSecurityAnswer(a.securityAnswer ?? 'دبستان فردوسی')),
      must_change_password: a.mustChangePassword ?? false,
      disabled_at: a.disabled ? new Date() : null,
      permissions: [],
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, nationalCode: a.foreignNationalId ?? nationalCode, mobile, password };
}

export async function apiSignIn(app: FastifyInstance, username: string, password: string, remoteAddress = '127.0.0.1') {
  return app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, remoteAddress });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Tracking code and temporary password of the latest recovery SMS to a mobile. */
export async function lastRecoverySms(platform: Platform, mobile: string): Promise<{ trackingCode: string; password: string }> {
  const body = await lastSmsTo(platform, mobile);
  const m = body ? /(\d{8})\D+(\d{8})/.exec(body) : null;
  if (!m) throw new Error(`no recovery SMS to ${mobile}: ${body}`);
  return { trackingCode: m[1]!, password: m[2]! };
}

export async function smsCountTo(platform: Platform, mobile: string): Promise<number> {
  const rows = await platform.db.selectFrom('sms_messages').select('id').where('to_mobile', '=', mobile).execute();
  return rows.length;
}
