import type { NodeObject } from '../../api/objects.js';
import type { ServiceSpec } from '../../api/service-spec.js';
import { parseConstraints, satisfiesAll } from '../scheduler/placement.js';

/**
 * What a global service does on a node: run a task there, keep what already runs but add
 * nothing (pause, or a node whose state is only uncertain), or shut its task down.
 */
export type Eligibility = 'eligible' | 'keep' | 'shutdown';

export function globalEligibility(node: NodeObject | undefined, spec: ServiceSpec): Eligibility {
  if (!node || node.status.state === 'down') return 'shutdown';
  if (node.availability === 'drain') return 'shutdown';
  if (!satisfiesAll(node, parseConstraints(spec.placement.constraints))) return 'shutdown';
  // A disconnected node may come back with its containers: wait for the dispatcher to call it down.
  if (node.status.state !== 'ready') return 'keep';
  if (node.availability === 'pause') return 'keep';
  return 'eligible';
}

/** A node lost for good: its tasks cannot be stopped, only written off. */
export const isNodeGone = (node: NodeObject | undefined): boolean => !node || node.status.state === 'down';
