import { ShoalError } from '../../api/errors.js';
import type { NetworkObject } from '../../api/networks.js';
import type { ServiceObject } from '../../api/objects.js';
import { namePattern } from '../../api/service-spec.js';
import type { StackSpec } from '../../api/stack-spec.js';
import { attachedTo } from '../networks/network-targets.js';
import { resourceName, serviceNetworksOf } from './stack-names.js';

export interface DesiredNetwork {
  /** The compose file's name for it. */
  short: string;
  /** Its name in the environment: `STACK_SHORT`, or an external network's own name. */
  name: string;
  external: boolean;
  labels: Record<string, string>;
}

/**
 * The networks a rendered stack asks for: every top-level network, plus `default` when a service
 * joins it without the file declaring it (hand-built specs; `src/compose` adds it itself).
 */
export function desiredNetworks(stack: string, rendered: StackSpec): DesiredNetwork[] {
  const shorts = new Set(Object.keys(rendered.networks));
  for (const short of Object.keys(rendered.services)) for (const key of Object.keys(serviceNetworksOf(rendered, short))) shorts.add(key);
  return [...shorts].sort().map((short) => {
    const field = `networks.${short}`;
    const resource = rendered.networks[short];
    const name = resourceName(stack, short, resource);
    if (!namePattern.test(name)) {
      throw new ShoalError('invalid_argument', `${field}: the network name "${name}"${resource?.external ? '' : ' (stack name + "_" + network name)'} must be 1-63 letters, digits, "_", "." or "-"`, field);
    }
    return { short, name, external: resource?.external === true, labels: resource?.labels ?? {} };
  });
}

export interface NetworkPlanInput {
  stack: string;
  env: string;
  desired: readonly DesiredNetwork[];
  /** Every network of the environment. */
  networks: readonly NetworkObject[];
  /** Every service of the environment as it will be once the deploy is committed. */
  servicesAfter: readonly Pick<ServiceObject, 'name' | 'spec'>[];
}

export interface NetworkPlan {
  create: DesiredNetwork[];
  /** The stack's networks no longer declared that no service uses any more. */
  remove: NetworkObject[];
  /** The stack's networks no longer declared that a service still uses: removed by a later deploy. */
  kept: { network: NetworkObject; users: string[] }[];
}

/**
 * Which networks a deploy creates and removes. An external network must exist; a network the
 * stack would create must not be taken by anything but the stack itself.
 */
export function planNetworks(input: NetworkPlanInput): NetworkPlan {
  const byName = new Map(input.networks.map((n) => [n.name, n]));
  const plan: NetworkPlan = { create: [], remove: [], kept: [] };
  for (const d of input.desired) {
    const field = `networks.${d.short}`;
    const current = byName.get(d.name);
    if (d.external) {
      if (!current) throw new ShoalError('invalid_argument', `${field}: external network "${d.name}" does not exist in environment "${input.env}"; create it first`, field);
      continue;
    }
    if (!current) {
      plan.create.push(d);
      continue;
    }
    if (current.stack !== input.stack) {
      const owner = current.builtIn ? 'is the environment\'s built-in network' : current.stack ? `belongs to stack "${current.stack}"` : 'was created outside any stack';
      throw new ShoalError('already_exists', `${field}: a network named "${d.name}" already exists and ${owner}; rename it or declare it external`, field);
    }
  }
  const wanted = new Set(input.desired.map((d) => d.name));
  for (const network of input.networks) {
    if (network.stack !== input.stack || wanted.has(network.name)) continue;
    const users = input.servicesAfter.filter((s) => attachedTo(network, s.spec)).map((s) => s.name).sort();
    if (users.length === 0) plan.remove.push(network);
    else plan.kept.push({ network, users });
  }
  return plan;
}
