// Rate limits from the one table in config (RATE_LIMITS): in-process counters on one
// instance, Redis counters when REDIS_URL is set so every instance shares them.
//
// Counting is atomic: every check *is* a count (consume first, then decide), so parallel
// requests can never pass more attempts than a row allows. Actions that should cost nothing
// when they succeed (a right password) give the point back afterwards with `reward`.
//
// When Redis cannot be reached, every row falls back to an in-process guard that is
// stricter (half the points, at least one) instead of "no limits": a warning is logged and
// dargah_rate_limit_fallback_total counts each decision taken that way.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { RateLimitRule } from '../config.js';

export type LimitDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export type RateLimiter<Name extends string> = {
  /** Counts one attempt of `name` for `key` and decides: refused once the rule's points are spent. */
  consume(name: Name, key: string, points?: number): Promise<LimitDecision>;
  /** Gives back points consumed by an attempt that should not count (e.g. a right password). */
  reward(name: Name, key: string, points?: number): Promise<void>;
  /**
   * Whether `key` is currently refused, without counting an attempt. For display only: a
   * decision to let an attempt through must come from `consume` (a peek races).
   */
  peek(name: Name, key: string): Promise<LimitDecision>;
  /** Forgets the attempts of `key` (e.g. after a successful sign-in). */
  reset(name: Name, key: string): Promise<void>;
};

/** Points of the in-process guard used while Redis is unreachable: half the row, at least one. */
export const fallbackPoints = (points: number) => Math.max(1, Math.floor(points / 2));

export function createRateLimiter<Name extends string>(options: {
  rules: Record<Name, RateLimitRule>;
  redis?: Redis;
  /** Prefix so that separate deployments (and test runs) never share counters. */
  prefix: string;
  /** Keys may be identifiers: they are hashed before they reach a counter store. */
  hashKey: (key: string) => string;
  onRefused?: (name: Name) => void;
  /** Where the fallback counter is registered (the /metrics registry). */
  registry?: Registry;
  logger?: Pick<Logger, 'warn'>;
}): RateLimiter<Name> {
  const fallbackUsed = new Counter({
    name: 'dargah_rate_limit_fallback_total',
    help: 'Rate-limit decisions taken by the stricter in-process guard because Redis was unreachable',
    labelNames: ['limit'] as const,
    registers: options.registry ? [options.registry] : [],
  });
  let warnedAt = 0;
  const onFallback = (name: Name) => {
    fallbackUsed.inc({ limit: name });
    const now = Date.now();
    // One warning a minute is enough to page someone; the counter has every decision.
    if (now - warnedAt >= 60_000) {
      warnedAt = now;
      options.logger?.warn({ limit: name }, 'redis unreachable: rate limits use the stricter in-process guard');
    }
  };

  const limiters = new Map<Name, RateLimiterAbstract>();
  const guards = new Map<Name, FallbackGuard>();
  for (const [name, rule] of Object.entries(options.rules) as [Name, RateLimitRule][]) {
    const common = {
      keyPrefix: `${options.prefix}:${name}`,
      points: rule.points,
      duration: rule.durationSeconds,
      blockDuration: rule.blockSeconds,
    };
    if (!options.redis) {
      limiters.set(name, new RateLimiterMemory(common));
      continue;
    }
    const insurance = new FallbackGuard({ ...common, points: fallbackPoints(rule.points) }, () => onFallback(name));
    guards.set(name, insurance);
    limiters.set(
      name,
      new RateLimiterRedis({
        ...common,
        storeClient: options.redis,
        // Not connected: decide at once with the insurance guard rather than queue or fail.
        rejectIfRedisNotReady: true,
        insuranceLimiter: insurance,
      }),
    );
  }
  const get = (name: Name) => {
    const l = limiters.get(name);
    if (!l) throw new Error(`unknown rate limit ${name}`);
    return l;
  };
  /**
   * The limiter that decides now: the in-process guard while Redis is not connected. The
   * library falls back by itself for counting (`rejectIfRedisNotReady`), but not for a
   * delete, which ioredis would hold until it reconnects (seconds of a sign-in's time).
   */
  const deciding = (name: Name) => (options.redis && options.redis.status !== 'ready' ? guards.get(name) : undefined) ?? get(name);
  const refused = (res: RateLimiterRes): LimitDecision => ({
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  });
  return {
    async consume(name, key, points = 1) {
      try {
        const res = await get(name).consume(options.hashKey(key), points);
        return { allowed: true, remaining: res.remainingPoints };
      } catch (e) {
        if (e instanceof RateLimiterRes) {
          options.onRefused?.(name);
          return refused(e);
        }
        throw e;
      }
    },
    async reward(name, key, points = 1) {
      await get(name).reward(options.hashKey(key), points);
    },
    async peek(name, key) {
      const limiter = deciding(name);
      const res = await limiter.get(options.hashKey(key));
      if (res && res.consumedPoints > limiter.points) return refused(res);
      return { allowed: true, remaining: res ? Math.max(0, limiter.points - res.consumedPoints) : limiter.points };
    },
    async reset(name, key) {
      await deciding(name).delete(options.hashKey(key));
    },
  };
}

/** The in-process insurance of a Redis row: counts every decision it takes. */
class FallbackGuard extends RateLimiterMemory {
  constructor(opts: ConstructorParameters<typeof RateLimiterMemory>[0], private readonly used: () => void) {
    super(opts);
  }
  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    this.used();
    return super.consume(key, points, options);
  }
  override get(key: string | number, options?: { [key: string]: unknown }) {
    this.used();
    return super.get(key, options);
  }
}
