import type { Role } from '../../client/types.js';
import { flagError } from '../flag-error.js';

export const roles: readonly Role[] = ['owner', 'member', 'restricted', 'readonly'];

/** An environment role, named in the error as `field` (a flag or an argument). */
export function parseRole(field: string, text: string): Role {
  if ((roles as readonly string[]).includes(text)) return text as Role;
  throw flagError(field, text, `must be one of ${roles.join(', ')}`);
}
