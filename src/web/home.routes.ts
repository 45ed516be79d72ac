// The main page route.
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform.js';
import { HomePage } from './home.page.js';
import { ctxOf, sendPage } from './http.js';

export const homeRoutes: FastifyPluginAsync<{ platform: Platform }> = async (app) => {
  app.get('/', async (request, reply) => sendPage(reply, HomePage({ ctx: ctxOf(request, reply) })));
};
