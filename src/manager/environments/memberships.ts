import type { Op, Store } from '../store/store.js';
import { clusterScope } from '../auth/account-object.js';
import type { EnvironmentObject } from './environment-object.js';

/**
 * Ops taking an account out of every environment's member list, for the commit that removes the
 * account: a later account never inherits a role (ids are not reused, but a stale entry would
 * still show in member lists). Each put expects the version read, so a concurrent membership
 * change makes the commit conflict and the caller retry rather than undo that change.
 */
export async function membershipDeletes(store: Store, accountId: string, updatedAt: string): Promise<Op[]> {
  const environments = await store.list<EnvironmentObject>('environment', { env: clusterScope });
  return environments
    .filter((e) => accountId in e.members)
    .map((e): Op => {
      const { [accountId]: _gone, ...members } = e.members;
      const next: EnvironmentObject = { ...e, members, updatedAt };
      return { op: 'put', kind: 'environment', value: next, expectVersion: e.version };
    });
}
