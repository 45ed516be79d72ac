// Permissions by their names: a permission is stored as a code (`payment_slip_issue`) and
// shown to people and staff by its catalog name; a code an operator added without a name
// (GENERAL_PERMISSIONS) is shown as it is rather than hidden.
import { isMessageKey, t, type Lang } from '../messages/index.js';

export function permissionName(lang: Lang, code: string): string {
  const key = `permission.${code}`;
  return isMessageKey(key) ? t(lang, key) : code;
}
