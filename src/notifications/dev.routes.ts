// GET /dev/sms: the local outbox as a page and as JSON (API.md), development only.
import type { FastifyPluginAsync } from 'fastify';
import { parseMobile } from '../identity/mobile.js';
import type { Platform } from '../platform.js';
import { ctxOf, sendPage } from '../web/http.js';
import { DevSmsPage } from './dev.page.js';
import { listSmsTo } from './sms.queries.js';

/**
 * Whether an Accept header ranks HTML above JSON and everything else (a browser): then the
 * page; otherwise (`application/json`, `*\/*`, no header) JSON, as API.md says.
 */
export function asksForHtmlFirst(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranked = accept
    .split(',')
    .map((part, index) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { type: (type ?? '').trim(), q: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const first = ranked.find((r) => ['text/html', 'application/xhtml+xml', 'application/json', '*/*', 'application/*', 'text/*'].includes(r.type));
  return first?.type === 'text/html' || first?.type === 'application/xhtml+xml' || first?.type === 'text/*';
}

/** The services this plugin uses (it receives only these). */
export const DEV_ROUTES_SERVICES = ['db'] as const;

export const devRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof DEV_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  app.get('/dev/sms', async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).to;
    const parsed = raw === undefined || raw === '' ? null : parseMobile(raw);
    const to = parsed && parsed.ok ? parsed.value : null;
    const rows = parsed && !parsed.ok ? [] : await listSmsTo(platform.db, to, 100);
    const messages = rows.map((r) => ({ to: r.to_mobile, text: r.body, createdAt: r.created_at, status: r.status }));
    if (!asksForHtmlFirst(request.headers.accept)) return messages.map(({ to, text, createdAt }) => ({ to, text, createdAt: createdAt.toISOString() }));
    return sendPage(reply, DevSmsPage({ ctx: ctxOf(request, reply), to: typeof raw === 'string' ? raw : '', messages }));
  });
};
