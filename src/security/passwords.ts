// argon2id hashing for passwords and security answers; off the event loop (libuv pool).
import { hash, verify } from '@node-rs/argon2';

export type HashParams = { memoryCost: number; timeCost: number; parallelism: number };

export type PasswordHasher = {
  hash(plain: string): Promise<string>;
  /** `needsRehash` when the stored hash used other parameters than today's. */
  verify(stored: string, plain: string): Promise<{ valid: boolean; needsRehash: boolean }>;
  /** Spends the same time as a real verify; used for unknown usernames. */
  verifyDummy(plain: string): Promise<void>;
};

export function createPasswordHasher(params: HashParams): PasswordHasher {
  // 2 = Argon2id (the package's const enum cannot be imported under isolatedModules).
  const options = { algorithm: 2 as const, ...params };
  const expected = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  let dummy: Promise<string> | undefined;
  return {
    hash: (plain) => hash(plain, options),
    async verify(stored, plain) {
      let valid = false;
      try {
        valid = await verify(stored, plain);
      } catch {
        valid = false;
      }
      return { valid, needsRehash: valid && !stored.startsWith(expected) };
    },
    async verifyDummy(plain) {
      dummy ??= hash('dargah-dummy-password', options);
      await verify(await dummy, plain).catch(() => false);
    },
  };
}
