// Helpers of the edge tests: a signed-in person and a signed-in staff member through the pages.
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { browser, type TestEnv } from './support.js';
import { insertAccount, PASSWORD } from './signin.support.js';

export type Agent = ReturnType<typeof browser>;

export async function signedInPerson(env: TestEnv): Promise<{ agent: Agent; id: string; nationalCode: string }> {
  const a = await insertAccount(env.platform);
  const agent = browser(env.app);
  await agent.get('/signin');
  const res = await agent.post('/signin', { username: a.nationalCode, password: PASSWORD });
  assert.equal(res.statusCode, 303, res.body);
  return { agent, id: a.id, nationalCode: a.nationalCode };
}

const STAFF_PASSWORD = 'Branch!Desk2026xq';

/** A staff member created through the service, signed in through the pages, password replaced. */
export async function signedInStaff(env: TestEnv, username: string, role: 'admin' | 'branch_operator' | 'auditor', branchCode?: string): Promise<Agent> {
  const created = await env.platform.staff.create({ username, role, ...(branchCode ? { branchCode } : {}) });
  assert.ok(created.ok);
  const secret = new URL(created.value.totpUri).searchParams.get('secret')!;
  const agent = browser(env.app);
  await agent.get('/backoffice/signin');
  const code = await generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) });
  const res = await agent.post('/backoffice/signin', { username, password: created.value.oneTimePassword, code });
  assert.equal(res.statusCode, 303, res.body);
  await agent.get('/backoffice/password');
  const changed = await agent.post('/backoffice/password', { newPassword: STAFF_PASSWORD, newPasswordConfirmation: STAFF_PASSWORD });
  assert.equal(changed.statusCode, 303, changed.body);
  env.clock.advance(30_000);
  return agent;
}
