import { isDeepStrictEqual } from 'node:util';
import { ShoalError } from '../../api/errors.js';
import type { ServiceObject } from '../../api/objects.js';
import type { DesiredService } from './stack-names.js';

export interface StackPlanInput {
  stack: string;
  desired: readonly DesiredService[];
  /** Every service of the environment: the stack's own are those whose `stack` names it. */
  services: readonly ServiceObject[];
  /** Remove the stack's services the new version no longer has (otherwise they are kept). */
  prune: boolean;
}

export interface ExistingService {
  short: string;
  current: ServiceObject;
}

/** What a deploy does to each service; every list is sorted by short name. */
export interface StackPlan {
  create: DesiredService[];
  /** Services whose spec differs from the desired one in any field: a normal service update. */
  update: (ExistingService & { desired: DesiredService })[];
  unchanged: ExistingService[];
  remove: ExistingService[];
  kept: ExistingService[];
}

/** The compose name of a stack service: its name without the `STACK_` prefix. */
export function shortName(stack: string, service: Pick<ServiceObject, 'name'>): string {
  const prefix = `${stack}_`;
  return service.name.startsWith(prefix) ? service.name.slice(prefix.length) : service.name;
}

/**
 * The diff of a deploy, a pure function of what exists and what is asked for. Specs are compared
 * whole (after defaults), so a service changed by hand since the last deploy is put back too.
 * A name taken by a service outside the stack, or a change of mode, is refused: both would need
 * a service removed, which a deploy never does to services it does not own or without `prune`.
 */
export function planStack(input: StackPlanInput): StackPlan {
  const byName = new Map(input.services.map((s) => [s.name, s]));
  const wanted = new Set(input.desired.map((d) => d.name));
  const plan: StackPlan = { create: [], update: [], unchanged: [], remove: [], kept: [] };
  for (const desired of [...input.desired].sort((a, b) => a.short.localeCompare(b.short))) {
    const current = byName.get(desired.name);
    const field = `services.${desired.short}`;
    if (!current) {
      plan.create.push(desired);
      continue;
    }
    if (current.stack !== input.stack) {
      const owner = current.stack ? `stack "${current.stack}"` : 'no stack';
      throw new ShoalError('already_exists', `${field}: a service named "${desired.name}" already exists and belongs to ${owner}; rename or remove it`, field);
    }
    if (current.spec.mode !== desired.spec.mode) {
      throw new ShoalError(
        'invalid_argument',
        `${field}: cannot change "${desired.name}" from ${current.spec.mode} to ${desired.spec.mode}; deploy without it using prune, then with it again`,
        `${field}.mode`,
      );
    }
    const entry = { short: desired.short, current };
    // A compose file never sets forceUpdate; `service update --force` and secret rotations
    // bump it, and a deploy must not undo that (it would replace every task again).
    const spec = { ...desired.spec, forceUpdate: current.spec.forceUpdate };
    if (isDeepStrictEqual(current.spec, spec)) plan.unchanged.push(entry);
    else plan.update.push({ ...entry, desired: { ...desired, spec } });
  }
  const leftover = input.services
    .filter((s) => s.stack === input.stack && !wanted.has(s.name))
    .map((current) => ({ short: shortName(input.stack, current), current }))
    .sort((a, b) => a.short.localeCompare(b.short));
  if (input.prune) plan.remove.push(...leftover);
  else plan.kept.push(...leftover);
  return plan;
}

/** Whether applying the plan writes any service. */
export const planChangesServices = (plan: StackPlan): boolean => plan.create.length + plan.update.length + plan.remove.length > 0;
