// GET /dev/sms: the local outbox as a page and as JSON (API.md), development only.
import type { FastifyPluginAsync } from 'fastify';
import { parseMobile } from '../identity/mobile.js';
import type { Platform } from '../platform.js';
import { ctxOf, sendPage } from '../web/http.js';
import { DevSmsPage } from './dev.page.js';
import { listSmsTo } from './sms.queries.js';

export const devRoutes: FastifyPluginAsync<{ platform: Platform }> = async (app, { platform }) => {
  app.get('/dev/sms', async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).to;
    const parsed = raw === undefined || raw === '' ? null : parseMobile(raw);
    const to = parsed && parsed.ok ? parsed.value : null;
    const rows = parsed && !parsed.ok ? [] : await listSmsTo(platform.db, to, 100);
    const messages = rows.map((r) => ({ to: r.to_mobile, text: r.body, createdAt: r.created_at, status: r.status }));
    const wantsJson = (request.headers.accept ?? '').includes('application/json') && !(request.headers.accept ?? '').includes('text/html');
    if (wantsJson) return messages.map(({ to, text, createdAt }) => ({ to, text, createdAt: createdAt.toISOString() }));
    return sendPage(reply, DevSmsPage({ ctx: ctxOf(request, reply), to: typeof raw === 'string' ? raw : '', messages }));
  });
};
