import { ShoalError } from '../../api/errors.js';
import type { AccountApi } from './accounts.js';
import type { ApiKeyApi } from './api-keys.js';
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

/**
 * The manager's start: creates the first administrator when allowed (`shoal up`,
 * `shoal manager --init`), and otherwise refuses to serve a store nobody could log in to.
 */
export async function bootstrapAdmin(accounts: AccountApi, create: boolean): Promise<{ username: string; password: string } | undefined> {
  if (create) return ensureAdminAccount(accounts);
  if ((await accounts.list()).length > 0) return undefined;
  throw new ShoalError('failed_precondition', 'this cluster has no administrator account yet: start its first manager once with --init, which creates one and shows its password');
}

/** The first administrator and the personal key written for the local CLI, all shown once. */
export interface BootstrapCredential {
  username: string;
  password: string;
  accessKey: string;
  secret: string;
}

/**
 * `bootstrapAdmin` plus a personal API key of the new administrator, which `shoal up` and
 * `shoal manager --init` write to the user's CLI config (as k3s writes its kubeconfig), so the
 * CLI works without a login and the password is needed only for the web UI or a new machine.
 */
export async function bootstrapAdminCredential(accounts: AccountApi, apiKeys: ApiKeyApi, create: boolean): Promise<BootstrapCredential | undefined> {
  const admin = await bootstrapAdmin(accounts, create);
  if (!admin) return undefined;
  const account = await accounts.byId((await accounts.get(admin.username)).id);
  if (!account) throw new Error('the administrator account vanished right after it was created');
  const key = await apiKeys.createPersonal('bootstrap', account, 'local-cli');
  return { ...admin, accessKey: key.accessKey, secret: key.secret };
}
