// The main page route.
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform.js';
import { HomePage } from './home.page.js';
import { ctxOf, sendPage } from './http.js';

export const homeRoutes: FastifyPluginAsync<{ platform: Platform }> = async (app, { platform }) => {
  app.get('/', async (request, reply) => sendPage(reply, HomePage({ ctx: ctxOf(request, reply), insuredGroups: platform.config.insured.groups })));
};
