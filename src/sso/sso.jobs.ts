// Ends a person's single sign-on sessions after a change that must reach every service
// (new password, staff reset, disable, reject): a job enqueued in the transaction of the
// change, so the back-channel logouts go out only once it has committed, with retries.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { JobQueue } from '../jobs/queue.js';

export const SSO_LOGOUT_QUEUE = {
  name: 'sso-logout',
  retryLimit: 5,
  retryDelaySeconds: 10,
  retryBackoff: true,
  retryDelayMaxSeconds: 600,
  expireInSeconds: 120,
};

export function defineSsoLogoutJob(queue: JobQueue, sso: { endSessionsOf(accountId: string): Promise<unknown> }) {
  queue.define<{ accountId: string }>(SSO_LOGOUT_QUEUE, async (job) => {
    await sso.endSessionsOf(job.data.accountId);
  });
  return {
    /** Inside the caller's transaction: after commit, every service of the person is told. */
    schedule: (trx: Kysely<DB>, accountId: string) => queue.send(SSO_LOGOUT_QUEUE.name, { accountId }, { trx }).then(() => undefined),
  };
}
