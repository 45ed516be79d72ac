// POST /dev/verification/run (API.md): runs every due verification now, development only.
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform.js';
import { VERIFICATION_QUEUE } from './verification.service.js';
import { DOCTOR_VERIFICATION_QUEUE } from '../doctors/doctors.service.js';

/** The services this plugin uses (it receives only these). */
export const VERIFICATION_DEV_ROUTES_SERVICES = ['queue'] as const;

export const verificationDevRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof VERIFICATION_DEV_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  app.post('/dev/verification/run', async () => {
    let processed = await platform.queue.runDue(VERIFICATION_QUEUE.name, { includeFuture: true });
    // Doctors' requests too (API.md).
    processed += await platform.queue.runDue(DOCTOR_VERIFICATION_QUEUE.name, { includeFuture: true });
    return { processed };
  });
};
