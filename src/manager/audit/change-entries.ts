import { isDeepStrictEqual } from 'node:util';
import type { AuditDetails, AuditEntry, AuditObjectRef } from '../../api/audit.js';
import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';
import type { SessionObject } from '../auth/account-object.js';
import type { Change, ChangeBatch, StoredObject } from '../store/store.js';
import type { StackObject } from '../stacks/stack-object.js';
import { redact } from './audit-redaction.js';

/** An entry before the log numbers and chains it. */
export type AuditDraft = Omit<AuditEntry, 'id' | 'version' | 'seq' | 'prevHash' | 'hash'>;

type Body = Pick<AuditDraft, 'action' | 'object' | 'before' | 'after' | 'details'> & { env?: string };

/** The environment of cluster-wide objects and of entries about the cluster itself. */
export const clusterScope = '';

/**
 * The audit entries a committed change batch makes. Derived from the change log, like the event
 * stream, so no writer can forget to record a change. Bulky or noisy objects are summarised:
 * a task records its state changes rather than its whole spec at each step.
 */
export function auditDraftsOf(batch: ChangeBatch): AuditDraft[] {
  const out: AuditDraft[] = [];
  for (const change of batch.changes) {
    for (const body of bodiesOf(change, batch.actor)) {
      // The cluster object (CA, join tokens) is stored in `default` but concerns the whole
      // cluster: its entries are for administrators, not for every role of `default`.
      const env = change.kind === 'cluster' ? clusterScope : (body.env ?? change.value?.env ?? change.prev?.env ?? clusterScope);
      const { env: _e, ...rest } = body;
      out.push({
        env,
        time: batch.time,
        actor: batch.actor,
        ...(batch.source !== undefined ? { source: batch.source } : {}),
        revision: batch.revision,
        ...rest,
      });
    }
  }
  return out;
}

function bodiesOf(change: Change, actor: string): Body[] {
  switch (change.kind) {
    // The audit log's own writes, and name reservations that always travel with the object
    // they reserve a name for (which is recorded).
    case 'audit':
    case 'name-claim':
    // Address bookkeeping: subnets and ranges come and go with the nodes and networks they
    // serve, which are recorded.
    case 'ipam':
      return [];
    case 'session':
      return sessionBodies(change.value as SessionObject | undefined, change.prev as SessionObject | undefined, actor);
    case 'task':
      return taskBodies(change.value as TaskObject | undefined, change.prev as TaskObject | undefined);
    case 'node':
      return nodeBodies(change.value as NodeObject | undefined, change.prev as NodeObject | undefined);
    case 'service':
      return serviceBodies(change.value as ServiceObject | undefined, change.prev as ServiceObject | undefined);
    case 'stack':
      return stackBodies(change);
    case 'api-key':
      // Recording when a key was last used is bookkeeping, not a change to the key; the use
      // itself shows as the actor of every write made with the key.
      if (change.value && change.prev && isDeepStrictEqual(withoutFields(change.value, 'lastUsedAt'), withoutFields(change.prev, 'lastUsedAt'))) return [];
      return genericBodies(change);
    default:
      return genericBodies(change);
  }
}

/**
 * A session is a login: its creation is the successful login (the session's id, a hash of the
 * token, is left out); its removal a logout, unless it simply expired.
 */
function sessionBodies(value: SessionObject | undefined, prev: SessionObject | undefined, actor: string): Body[] {
  const account = (s: SessionObject): AuditObjectRef => ({ kind: 'account', id: s.accountId, ...(actor.startsWith('account:') ? { name: actor.slice('account:'.length) } : {}) });
  if (value && !prev) return [{ action: 'login', object: account(value), details: { expiresAt: value.expiresAt } }];
  if (!value && prev && actor !== 'session-expiry') return [{ action: 'logout', object: { kind: 'account', id: prev.accountId } }];
  return [];
}

function taskBodies(value: TaskObject | undefined, prev: TaskObject | undefined): Body[] {
  const t = value ?? prev;
  if (!t) return [];
  const object = { kind: 'task', id: t.id, name: `${t.serviceName}.${t.slot ?? t.nodeId ?? ''}` };
  const common: AuditDetails = { service: t.serviceName, serviceId: t.serviceId, slot: t.slot, node: t.nodeId, specVersion: t.specVersion };
  if (!value) return [{ action: 'delete', object, details: { ...common, state: t.status.state } }];
  if (!prev) return [{ action: 'create', object, details: { ...common, state: value.status.state, desired: value.desiredState, restartOf: value.restartOf } }];
  const out: Body[] = [];
  if (prev.status.state !== value.status.state) {
    const details: AuditDetails = { ...common, from: prev.status.state, to: value.status.state, message: value.status.error ?? value.status.message, exitCode: value.status.exitCode };
    out.push({ action: 'task-state', object, details });
  }
  if (prev.desiredState !== value.desiredState) out.push({ action: 'task-desired', object, details: { ...common, from: prev.desiredState, to: value.desiredState } });
  return out;
}

function nodeBodies(value: NodeObject | undefined, prev: NodeObject | undefined): Body[] {
  const n = value ?? prev;
  if (!n) return [];
  const object = { kind: 'node', id: n.id, name: n.hostname };
  if (!value) return [{ action: 'delete', object, before: snapshot(prev) }];
  if (!prev) return [{ action: 'create', object, after: snapshot(value) }];
  const out: Body[] = [];
  // Heartbeats and status messages are not changes anyone made; a state change is recorded as
  // one, other fields (availability, labels, certificate) as an update with before and after.
  if (prev.status.state !== value.status.state) out.push({ action: 'node-state', object, details: { from: prev.status.state, to: value.status.state, message: value.status.message } });
  const before = withoutFields(prev, 'status', 'updatedAt');
  const after = withoutFields(value, 'status', 'updatedAt');
  if (!isDeepStrictEqual(before, after)) out.push({ action: 'update', object, before: redact(before), after: redact(after) });
  return out;
}

/** A service's before and after: what its users set (name and spec), not its rollout bookkeeping. */
const serviceSnapshot = (s: ServiceObject): unknown => redact({ name: s.name, specVersion: s.specVersion, spec: s.spec });

function serviceBodies(value: ServiceObject | undefined, prev: ServiceObject | undefined): Body[] {
  const s = value ?? prev;
  if (!s) return [];
  const object = { kind: 'service', id: s.id, name: s.name };
  if (!value) return [{ action: 'delete', object, before: serviceSnapshot(s) }];
  if (!prev) return [{ action: 'create', object, after: serviceSnapshot(value) }];
  const specChanged = !isDeepStrictEqual(prev.spec, value.spec) || prev.name !== value.name;
  const status = value.updateStatus;
  const statusChanged = status !== undefined && (status.state !== prev.updateStatus?.state || status.startedAt !== prev.updateStatus.startedAt);
  if (specChanged) {
    const spec = { before: serviceSnapshot(prev), after: serviceSnapshot(value) };
    // ServiceApi.rollback and the orchestrator's automatic rollback both start a rollback state
    // with a new start time in the commit that swaps the spec back.
    if (statusChanged && status.state.startsWith('rollback_')) return [{ action: 'rollback', object, ...spec, details: { specVersion: value.specVersion } }];
    const onlyReplicas = prev.name === value.name && isDeepStrictEqual({ ...prev.spec, replicas: 0 }, { ...value.spec, replicas: 0 });
    if (onlyReplicas) return [{ action: 'scale', object, ...spec, details: { from: prev.spec.replicas, to: value.spec.replicas } }];
    return [{ action: 'update', object, ...spec, details: { specVersion: value.specVersion } }];
  }
  if (statusChanged) return [{ action: 'update-status', object, details: { from: prev.updateStatus?.state, to: status.state, message: status.message } }];
  return [];
}

/**
 * Kinds whose contents are never copied into the history (secret values; config contents,
 * sealed like secrets), only that they changed: audit entries are readable by every role of
 * the environment.
 */
const opaqueKinds = new Set<string>(['secret', 'config']);

/** Any other kind (accounts, API keys, environments, the cluster object, kinds added later). */
function genericBodies(change: Change): Body[] {
  const o = change.value ?? change.prev;
  if (!o) return [];
  const object = objectRef(change.kind, o);
  if (opaqueKinds.has(change.kind)) {
    if (!change.value || !change.prev) return [{ action: change.value ? 'create' : 'delete', object }];
    return [{ action: 'update', object }];
  }
  if (!change.value) return [{ action: 'delete', object, before: snapshot(change.prev) }];
  if (!change.prev) return [{ action: 'create', object, after: snapshot(change.value) }];
  // Compared before redaction, so a change only to credential material (a password, a rotated
  // join token) is still recorded; `changed` names the fields without showing them.
  const prev = withoutFields(change.prev);
  const value = withoutFields(change.value);
  const changed = [...new Set([...Object.keys(prev), ...Object.keys(value)])].filter((k) => !isDeepStrictEqual(prev[k], value[k]));
  if (changed.length === 0) return [];
  return [{ action: 'update', object, before: redact(prev), after: redact(value), details: { changed: changed.sort().join(',') } }];
}

/**
 * A stack version as a summary: which version, who deployed it, its files' names and its
 * services. The services' own entries carry their specs; the source and the variables (which
 * may hold credentials) and ten versions of history would only bloat every entry.
 */
function stackBodies(change: Change): Body[] {
  const o = change.value ?? change.prev;
  if (!o) return [];
  const object = objectRef('stack', o);
  const summary = (s: StoredObject | undefined): unknown => {
    if (!s) return undefined;
    const { current } = s as unknown as StackObject;
    return { version: current.version, deployedBy: current.deployedBy, files: current.source.files.map((f) => f.name), services: current.services, ...(current.rollbackOf !== undefined ? { rollbackOf: current.rollbackOf } : {}) };
  };
  if (!change.value) return [{ action: 'delete', object, before: summary(change.prev) }];
  if (!change.prev) return [{ action: 'create', object, after: summary(change.value) }];
  const rollbackOf = (change.value as unknown as StackObject).current.rollbackOf;
  return [{ action: rollbackOf !== undefined ? 'rollback' : 'update', object, before: summary(change.prev), after: summary(change.value) }];
}

function objectRef(kind: string, o: StoredObject): AuditObjectRef {
  const v = o as unknown as Record<string, unknown>;
  const name = [v.name, v.username, v.hostname].find((x): x is string => typeof x === 'string');
  return { kind, id: o.id, ...(name !== undefined ? { name } : {}) };
}

/** The stored object as an entry shows it: credentials redacted, without the store's version. */
const snapshot = (o: StoredObject | undefined): unknown => (o ? redact(withoutFields(o, 'version')) : undefined);

function withoutFields(o: object, ...fields: string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(o as Record<string, unknown>) };
  for (const f of [...fields, 'version']) delete copy[f];
  return copy;
}
