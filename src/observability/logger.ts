// Structured logs with redaction: passwords, codes, tokens and identifiers never reach a log line.
import pino, { type Logger } from 'pino';

/** Paths removed from every log object, whatever logged it. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.newPassword',
  '*.newPasswordConfirmation',
  '*.currentPassword',
  '*.passwordConfirmation',
  '*.securityAnswer',
  '*.answer',
  '*.code',
  '*.captcha',
  '*.token',
  '*.sessionToken',
  '*.secret',
  '*.nationalCode',
  '*.foreignNationalId',
  '*.mobile',
  'nationalCode',
  'mobile',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/** What a request looks like in the logs: method and path only, capabilities shortened. */
export const requestSerializer = (req: { method?: string; url?: string; id?: string }) => ({
  id: req.id,
  method: req.method,
  // Query strings may carry identifiers (e.g. /dev/sms?to=…); flow ids and tokens in paths
  // are capabilities: keep only their first characters.
  path: req.url?.split('?')[0]?.replace(/([A-Za-z0-9_-]{6})[A-Za-z0-9_-]{20,}/g, '$1…'),
});

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: requestSerializer },
  });
}

/**
 * The one line per request (method, path, status, time): every field is built from known
 * values, none can carry a secret or an identifier, so it skips the redaction that costs
 * every other line about 15 µs (the wildcard paths; measured in issue 15).
 */
export function accessLoggerOf(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}

type Bindings = Record<string, unknown>;
type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * A request's logger (Fastify's `request.log`, through `childLoggerFactory`): the pino child
 * carrying the request id is made only when the request logs something. Most requests log
 * nothing but their access line (which has its own logger), and making a child of a logger
 * with redaction cost every request about 3 µs (issue 15). A route's own level (`logLevel`)
 * is kept.
 */
export class RequestLogger {
  #child: Logger | undefined;
  readonly #parent: Logger;
  readonly #bindings: Bindings;
  readonly #options: { level?: string };
  constructor(parent: Logger, bindings: Bindings, options: { level?: string }) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }
  get #logger(): Logger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }
  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }
  set level(level: string) {
    this.#logger.level = level;
  }
  isLevelEnabled(level: string): boolean {
    if (this.#child) return this.#child.isLevelEnabled(level);
    const values = this.#parent.levels.values;
    const current = this.level;
    if (current === 'silent') return false;
    return (values[level] ?? 0) >= (values[current] ?? Infinity);
  }
  bindings(): Bindings {
    return this.#child ? this.#child.bindings() : { ...this.#parent.bindings(), ...this.#bindings };
  }
  child(bindings: Bindings, options?: object): Logger {
    return this.#logger.child(bindings, options);
  }
  #log(level: Level, args: unknown[]) {
    if (!this.isLevelEnabled(level)) return;
    const logger = this.#logger;
    (logger[level] as (...a: unknown[]) => void).apply(logger, args);
  }
  trace(...args: unknown[]) {
    this.#log('trace', args);
  }
  debug(...args: unknown[]) {
    this.#log('debug', args);
  }
  info(...args: unknown[]) {
    this.#log('info', args);
  }
  warn(...args: unknown[]) {
    this.#log('warn', args);
  }
  error(...args: unknown[]) {
    this.#log('error', args);
  }
  fatal(...args: unknown[]) {
    this.#log('fatal', args);
  }
  silent() {}
}

/** Fastify's `childLoggerFactory`: a RequestLogger (the child made on first use). */
export function lazyRequestLogger(logger: Logger, bindings: Bindings, options: { level?: string }): RequestLogger {
  return new RequestLogger(logger, bindings, options);
}
