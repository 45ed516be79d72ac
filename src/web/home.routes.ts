// The main page route.
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform.js';
import { HomePage } from './home.page.js';
import { ctxOf, sendPage } from './http.js';

/** The services this plugin uses (it receives only these). */
export const HOME_ROUTES_SERVICES = ['config'] as const;

export const homeRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof HOME_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  app.get('/', async (request, reply) => sendPage(reply, HomePage({ ctx: ctxOf(request, reply), insuredGroups: platform.config.insured.groups })));
};
