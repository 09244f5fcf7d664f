import { ShoalError } from '../../api/errors.js';
import type { AccountApi } from './accounts.js';
import { newCredentialSecret } from './credential-hash.js';

export const bootstrapUsername = 'admin';

/**
 * Secure by default: a cluster without accounts gets an `admin` account with a random password
 * (160 bits), returned once so the caller can show it or write the local CLI credential. There
 * is no default password anywhere. Undefined when an account exists already.
 */
export async function ensureAdminAccount(accounts: AccountApi): Promise<{ username: string; password: string } | undefined> {
  if ((await accounts.list()).length > 0) return undefined;
  const password = newCredentialSecret();
  try {
    await accounts.create('bootstrap', { username: bootstrapUsername, password, admin: true });
  } catch (err) {
    // Another manager of the same store created it first: that one shows its password.
    if (err instanceof ShoalError && err.code === 'already_exists') return undefined;
    throw err;
  }
  return { username: bootstrapUsername, password };
}
