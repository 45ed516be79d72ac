// POST /dev/verification/run (API.md): runs every due verification now, development only.
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform.js';
import { VERIFICATION_QUEUE } from './verification.service.js';

export const verificationDevRoutes: FastifyPluginAsync<{ platform: Platform }> = async (app, { platform }) => {
  app.post('/dev/verification/run', async () => {
    const processed = await platform.queue.runDue(VERIFICATION_QUEUE.name, { includeFuture: true });
    return { processed };
  });
};
