// PortalSignIn over the portal's sign-in capability (src/signin): the same session cookie,
// the same sign-in rules (limits, lockout, account states), the same forced password change.
import { ok } from '../identity/result.js';
import type { Platform } from '../platform.js';
import { accountFromRequest, cookieOptions, SESSION_COOKIE } from '../signin/session.hooks.js';
import { signInWithForm } from '../signin/signin.web.js';
import type { PortalSignIn } from './portal.js';

const PASSWORD_CHANGE_PAGE = '/account/password';

export function createPortalSignIn(platform: Pick<Platform, 'clock' | 'config' | 'sessions' | 'signin'>): PortalSignIn {
  return {
    async current(request) {
      const s = accountFromRequest(request);
      return s
        ? { accountId: s.accountId, mustChangePassword: s.requiredActions.includes('change_password'), signedInAt: s.signedInAt, authMethod: s.authMethod }
        : undefined;
    },

    async signIn(request, reply, form) {
      const result = await signInWithForm(platform, request, reply, form);
      if (!result.ok) return result;
      // The session was created just now, by the password (or a recovery's temporary one).
      return ok({
        accountId: result.value.accountId,
        mustChangePassword: result.value.requiredActions.includes('change_password'),
        signedInAt: platform.clock(),
        authMethod: 'password',
      });
    },

    async signOut(request) {
      const s = accountFromRequest(request);
      if (s) await platform.sessions.end(s.sessionId, 'signed_out');
    },

    clearCookies() {
      const o = cookieOptions(platform);
      return [`${SESSION_COOKIE}=; Path=${o.path}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax${o.secure ? '; Secure' : ''}`];
    },

    passwordChangeUrl(returnTo) {
      return `${PASSWORD_CHANGE_PAGE}?next=${encodeURIComponent(returnTo)}`;
    },
  };
}
