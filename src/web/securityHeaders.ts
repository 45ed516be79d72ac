// Security headers (Content-Security-Policy, HSTS, Referrer-Policy, …) built by helmet once
// and again only when the form-action list changes (services added or removed), instead of
// helmet parsing and validating its options on every response.
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet sets for `options`, collected once. */
export function helmetHeaders(options: HelmetOptions): [string, string][] {
  const headers: [string, string][] = [];
  const res = {
    setHeader: (name: string, value: string | number) => headers.push([name, String(value)]),
    removeHeader: () => {},
  };
  helmet(options)({} as never, res as never, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/** Sets the headers on every response; `formAction` is read per request, the headers rebuilt when it changes. */
export function installSecurityHeaders(app: FastifyInstance, formAction: () => string, options: (formAction: string) => HelmetOptions) {
  let key = formAction();
  let headers = helmetHeaders(options(key));
  app.addHook('onRequest', (_request, reply, done) => {
    const current = formAction();
    if (current !== key) {
      headers = helmetHeaders(options(current));
      key = current;
    }
    for (const [name, value] of headers) reply.header(name, value);
    done();
  });
}
