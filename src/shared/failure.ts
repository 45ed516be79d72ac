// Why a service refused: a kind (mapped to an HTTP status by the web layer), a message
// key, and per-field message keys when the input was at fault.
import type { MessageKey } from '../messages/index.js';
import { err, type Err } from '../identity/result.js';

export type FailureKind =
  | 'invalid' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'locked' // 423
  | 'limited' // 429
  | 'unavailable'; // 503

export type Failure = {
  kind: FailureKind;
  code: MessageKey;
  fields?: Partial<Record<string, MessageKey>>;
  /** Every problem of a field when there are several (e.g. each broken password rule). */
  fieldDetails?: Partial<Record<string, MessageKey[]>>;
  retryAfterSeconds?: number;
  params?: Record<string, string | number>;
};

export const fail = (kind: FailureKind, code: MessageKey, extra: Omit<Failure, 'kind' | 'code'> = {}): Err<Failure> =>
  err({ kind, code, ...extra });

export const invalid = (
  fields: Partial<Record<string, MessageKey>>,
  code: MessageKey = 'request.invalid',
  fieldDetails?: Partial<Record<string, MessageKey[]>>,
): Err<Failure> => err({ kind: 'invalid', code, fields, ...(fieldDetails ? { fieldDetails } : {}) });

export const STATUS_OF: Record<FailureKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 423,
  limited: 429,
  unavailable: 503,
};
