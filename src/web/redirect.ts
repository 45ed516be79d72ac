// The one check for redirect targets that come from input (`next`, the path of a `?lang=`
// switch): only a path on this site, never another host. Everything that redirects to a
// target taken from a request goes through `localPath`.

const MAX_LENGTH = 2000;
const BASE = 'http://local.invalid';

/**
 * A local path (`/…`, with its query) safe to put in a Location header, or undefined.
 * Refused: not a string, empty, longer than 2000 characters, not starting with one `/`
 * (`//host`, `/\host`), any backslash, control character or whitespace (browsers strip
 * tabs and newlines, which would turn `/\t/host` into `//host`), a scheme, or anything a
 * URL parser would resolve to another origin. Non-ASCII characters are percent-encoded as
 * UTF-8 (a raw one cannot go into a header); a lone surrogate is refused.
 */
export function localPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return undefined;
  if (value[0] !== '/' || value[1] === '/' || value[1] === '\\') return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u0020\u007f-\u009f\u2028\u2029]/.test(value)) return undefined;
  let encoded: string;
  try {
    encoded = value.replace(/[^\u0000-\u007f]+/g, (s) => encodeURIComponent(s));
  } catch {
    return undefined; // a lone surrogate
  }
  let url: URL;
  try {
    url = new URL(encoded, BASE);
  } catch {
    return undefined;
  }
  if (url.origin !== BASE) return undefined;
  return encoded;
}

/** `localPath`, or `fallback` when the target is not a local path. */
export const localPathOr = (value: unknown, fallback: string): string => localPath(value) ?? fallback;
