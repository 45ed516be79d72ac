// The outcome of a completed POST, carried to the page it redirects to (post/redirect/get):
// sealed (AES-GCM under the server secret) in a short-lived cookie scoped to that page, so
// reloading the page shows the same outcome and never repeats the action.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createSealer, type Sealer } from '../sso/crypto.js';
import type { Secrets } from '../security/secrets.js';

export type PageResults = {
  /**
   * Keeps `value` for the pages under `path` for `ttlSeconds` (default 15 minutes); `key`
   * names it when one path keeps several values (default: the path).
   */
  keep(reply: FastifyReply, path: string, value: object, options?: { ttlSeconds?: number; key?: string }): void;
  /** The value kept for this page, or null (none, expired, or tampered with). */
  read<T extends object>(request: FastifyRequest, path: string, key?: string): T | null;
  /** Forgets the value kept for a page. */
  drop(reply: FastifyReply, path: string, key?: string): void;
};

const COOKIE_PREFIX = 'result_';
const cookieName = (path: string) => COOKIE_PREFIX + path.replace(/[^a-z0-9]+/gi, '_').replace(/^_+|_+$/g, '');

export function createPageResults(secrets: Secrets, options: { secure: boolean; now: () => Date }): PageResults {
  const sealer: Sealer = createSealer(secrets, 'page-results');
  return {
    keep(reply, path, value, { ttlSeconds = 15 * 60, key = path } = {}) {
      const exp = Math.floor(options.now().getTime() / 1000) + ttlSeconds;
      // The key is sealed too: a value kept for one page cannot be replayed on another.
      const sealed = sealer.seal(JSON.stringify({ p: key, exp, v: value }));
      reply.setCookie(cookieName(key), sealed, { path, httpOnly: true, sameSite: 'lax', secure: options.secure, maxAge: ttlSeconds });
    },
    read<T extends object>(request: FastifyRequest, _path: string, key = _path): T | null {
      const raw = request.cookies?.[cookieName(key)];
      if (!raw) return null;
      try {
        const data = JSON.parse(sealer.open(raw)) as { p?: unknown; exp?: unknown; v?: unknown };
        if (data.p !== key || typeof data.exp !== 'number' || data.exp * 1000 < options.now().getTime()) return null;
        return data.v && typeof data.v === 'object' ? (data.v as T) : null;
      } catch {
        return null;
      }
    },
    drop(reply, path, key = path) {
      reply.clearCookie(cookieName(key), { path });
    },
  };
}
