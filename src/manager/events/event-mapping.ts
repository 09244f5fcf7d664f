import type { ShoalEvent } from '../../api/events.js';
import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';
import type { Change, ChangeBatch } from '../store/store.js';

/**
 * Turns committed store changes into the events users see. Derived from the change log, so no
 * writer can forget to record an event and the stream can resume from any kept revision.
 */
export function eventsOf(batch: ChangeBatch): ShoalEvent[] {
  const out: ShoalEvent[] = [];
  for (const change of batch.changes) {
    const event = eventOf(change);
    if (event) out.push({ revision: batch.revision, time: batch.time, actor: batch.actor, ...event });
  }
  return out;
}

type EventBody = Omit<ShoalEvent, 'revision' | 'time' | 'actor'>;

function eventOf(change: Change): EventBody | undefined {
  switch (change.kind) {
    case 'service':
      return serviceEvent(change.value as ServiceObject | undefined, change.prev as ServiceObject | undefined);
    case 'task':
      return taskEvent(change.value as TaskObject | undefined, change.prev as TaskObject | undefined);
    case 'node':
      return nodeEvent(change.value as NodeObject | undefined, change.prev as NodeObject | undefined);
    default:
      return undefined;
  }
}

function serviceEvent(value: ServiceObject | undefined, prev: ServiceObject | undefined): EventBody | undefined {
  const s = value ?? prev;
  if (!s) return undefined;
  const base = { env: s.env, kind: 'service', objectId: s.id, name: s.name };
  if (!value) return { ...base, action: 'service.remove', attributes: {} };
  if (!prev) return { ...base, action: 'service.create', attributes: { image: value.spec.image, replicas: value.spec.replicas } };
  const attributes: ShoalEvent['attributes'] = { specVersion: value.specVersion };
  if (value.updateStatus && value.updateStatus.state !== prev.updateStatus?.state) {
    return { ...base, action: `service.update.${value.updateStatus.state}`, attributes: { ...attributes, message: value.updateStatus.message } };
  }
  if (value.specVersion === prev.specVersion && value.spec.replicas !== prev.spec.replicas) {
    return { ...base, action: 'service.scale', attributes: { ...attributes, from: prev.spec.replicas, to: value.spec.replicas } };
  }
  return { ...base, action: 'service.update', attributes };
}

function taskEvent(value: TaskObject | undefined, prev: TaskObject | undefined): EventBody | undefined {
  const t = value ?? prev;
  if (!t) return undefined;
  const base = { env: t.env, kind: 'task', objectId: t.id, name: `${t.serviceName}.${t.slot ?? t.nodeId ?? ''}` };
  const common = { service: t.serviceName, serviceId: t.serviceId, slot: t.slot, node: t.nodeId, specVersion: t.specVersion };
  if (!value) return { ...base, action: 'task.remove', attributes: common };
  if (!prev || prev.status.state !== value.status.state) {
    return {
      ...base,
      action: 'task.state',
      attributes: { ...common, from: prev?.status.state, to: value.status.state, desired: value.desiredState, message: value.status.error ?? value.status.message },
    };
  }
  if (prev.desiredState !== value.desiredState) {
    return { ...base, action: 'task.desired', attributes: { ...common, from: prev.desiredState, to: value.desiredState } };
  }
  return undefined;
}

function nodeEvent(value: NodeObject | undefined, prev: NodeObject | undefined): EventBody | undefined {
  const n = value ?? prev;
  if (!n) return undefined;
  const base = { env: n.env, kind: 'node', objectId: n.id, name: n.hostname };
  if (!value) return { ...base, action: 'node.remove', attributes: {} };
  if (!prev) return { ...base, action: 'node.create', attributes: { state: value.status.state } };
  if (prev.status.state !== value.status.state) {
    return { ...base, action: 'node.state', attributes: { from: prev.status.state, to: value.status.state, message: value.status.message } };
  }
  if (prev.availability !== value.availability || JSON.stringify(prev.labels) !== JSON.stringify(value.labels)) {
    return { ...base, action: 'node.update', attributes: { availability: value.availability } };
  }
  return undefined;
}
