// Rate limits from the one table in config (RATE_LIMITS): in-process counters on one
// instance, Redis counters when REDIS_URL is set so every instance shares them.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { RateLimitRule } from '../config.js';

export type LimitDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export type RateLimiter<Name extends string> = {
  /** Counts one attempt of `name` for `key`; refuses once the rule's points are spent. */
  consume(name: Name, key: string, points?: number): Promise<LimitDecision>;
  /** Whether `key` is currently refused, without counting an attempt. */
  peek(name: Name, key: string): Promise<LimitDecision>;
  /** Forgets the attempts of `key` (e.g. after a successful sign-in). */
  reset(name: Name, key: string): Promise<void>;
};

export function createRateLimiter<Name extends string>(options: {
  rules: Record<Name, RateLimitRule>;
  redis?: Redis;
  /** Prefix so that separate deployments (and test runs) never share counters. */
  prefix: string;
  /** Keys may be identifiers: they are hashed before they reach a counter store. */
  hashKey: (key: string) => string;
  onRefused?: (name: Name) => void;
}): RateLimiter<Name> {
  const limiters = new Map<Name, RateLimiterAbstract>();
  for (const [name, rule] of Object.entries(options.rules) as [Name, RateLimitRule][]) {
    const common = {
      keyPrefix: `${options.prefix}:${name}`,
      points: rule.points,
      duration: rule.durationSeconds,
      blockDuration: rule.blockSeconds,
    };
    limiters.set(
      name,
      options.redis
        ? new RateLimiterRedis({ ...common, storeClient: options.redis, rejectIfRedisNotReady: false })
        : new RateLimiterMemory(common),
    );
  }
  const get = (name: Name) => {
    const l = limiters.get(name);
    if (!l) throw new Error(`unknown rate limit ${name}`);
    return l;
  };
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
    async peek(name, key) {
      const limiter = get(name);
      const res = await limiter.get(options.hashKey(key));
      if (res && res.consumedPoints > limiter.points) return refused(res);
      return { allowed: true, remaining: res ? Math.max(0, limiter.points - res.consumedPoints) : limiter.points };
    },
    async reset(name, key) {
      await get(name).delete(options.hashKey(key));
    },
  };
}
