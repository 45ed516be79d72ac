// A software WebAuthn authenticator for flow tests (the browser tests use Chromium's
// virtual authenticator): P-256 keys, attestation "none", user presence and verification
// flags, a signature counter. It signs whatever origin and challenge it is told, so tests
// can also play a phishing page (wrong origin) or a replay.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';

const b64 = (b: Uint8Array) => isoBase64URL.fromBuffer(new Uint8Array(b));
const sha256 = (b: Uint8Array | string) => new Uint8Array(createHash('sha256').update(b).digest());
const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
};

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export type SoftCredential = { id: string; privateKey: KeyObject; cosePublicKey: Uint8Array; userHandle: string | undefined; counter: number };

export function softAuthenticator(opts: { rpId: string; origin: string; synced?: boolean; userVerified?: boolean }) {
  const credentials: SoftCredential[] = [];
  const flags = (extra: number) =>
    FLAG_UP | (opts.userVerified === false ? 0 : FLAG_UV) | (opts.synced ? FLAG_BE | FLAG_BS : 0) | extra;

  return {
    credentials,
    /** The answer of `navigator.credentials.create` to the server's options. */
    register(options: { challenge: string; user: { id: string } }, over: { origin?: string; challenge?: string } = {}) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const cose = new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, isoBase64URL.toBuffer(jwk.x!)],
        [-3, isoBase64URL.toBuffer(jwk.y!)],
      ]);
      const cosePublicKey = isoCBOR.encode(cose);
      const rawId = new Uint8Array(randomBytes(32));
      const credIdLen = new Uint8Array([0, rawId.length]);
      const authData = concat(sha256(opts.rpId), new Uint8Array([flags(FLAG_AT)]), u32(0), new Uint8Array(16), credIdLen, rawId, cosePublicKey);
      const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]) as never);
      const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: over.challenge ?? options.challenge, origin: over.origin ?? opts.origin, crossOrigin: false });
      const credential: SoftCredential = { id: b64(rawId), privateKey, cosePublicKey, userHandle: options.user.id, counter: 0 };
      credentials.push(credential);
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: {
          clientDataJSON: b64(new TextEncoder().encode(clientDataJSON)),
          attestationObject: b64(attestationObject),
          transports: ['internal'],
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },
    /** The answer of `navigator.credentials.get` with one of its credentials. */
    authenticate(challenge: string, credential: SoftCredential | undefined = credentials[0], over: { origin?: string; counter?: number } = {}) {
      if (!credential) throw new Error('no credential');
      credential.counter = over.counter ?? credential.counter + 1;
      const authData = concat(sha256(opts.rpId), new Uint8Array([flags(0)]), u32(credential.counter));
      const clientDataJSON = new TextEncoder().encode(JSON.stringify({ type: 'webauthn.get', challenge, origin: over.origin ?? opts.origin, crossOrigin: false }));
      const signature = sign('sha256', concat(authData, sha256(clientDataJSON)), credential.privateKey);
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: {
          clientDataJSON: b64(clientDataJSON),
          authenticatorData: b64(authData),
          signature: b64(new Uint8Array(signature)),
          ...(credential.userHandle ? { userHandle: credential.userHandle } : {}),
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },
  };
}
