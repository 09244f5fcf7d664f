import type { NodeIngressStatus, PortsNotReady, ServicePortsReadiness } from '../../api/ingress-status.js';
import type { IngressRule, NetworkObject } from '../../api/networks.js';
import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';
import { ingressRulesFor } from './node-network-plan.js';

export interface PortsReadinessInput {
  service: ServiceObject;
  /** The service's tasks. */
  tasks: readonly TaskObject[];
  /** The networks of its environment (the ingress routes to a task's address on `default`). */
  networks: readonly NetworkObject[];
  nodes: readonly NodeObject[];
}

/**
 * Whether the service's ingress ports answer on every ready node of its environment that runs
 * the ingress: bound there, and routed to exactly the backends the planner gives the service
 * now (its running, healthy tasks), as the node's agent reported after applying its plan. A
 * port the node cannot bind is a reason that will not go away by waiting (`failed`). Pure;
 * undefined for a service that publishes no port in ingress mode.
 */
export function portsReadiness(input: PortsReadinessInput): ServicePortsReadiness | undefined {
  const { service } = input;
  const rules = ingressRulesFor(service.env, { services: [service], tasks: [...input.tasks], networks: [...input.networks] });
  if (rules.length === 0) return undefined;
  const nodes = input.nodes.filter((n) => n.env === service.env && n.status.state === 'ready' && n.status.ingress !== undefined);
  const waiting: PortsNotReady[] = [];
  for (const node of nodes) {
    const why = notAnswered(node.status.ingress ?? { ports: [], errors: [] }, rules);
    if (why) waiting.push({ nodeId: node.id, hostname: node.hostname, ...why });
  }
  return { nodes: nodes.length, ready: nodes.length - waiting.length, waiting };
}

function notAnswered(ingress: NodeIngressStatus, rules: readonly IngressRule[]): { reason: string; failed?: boolean } | undefined {
  if (ingress.reportedAt === undefined) return { reason: 'its agent has not applied the ingress rules since it connected' };
  for (const rule of rules) {
    const label = `port ${rule.port}/${rule.protocol}`;
    const bound = ingress.ports.find((p) => p.protocol === rule.protocol && p.port === rule.port);
    if (!bound) {
      const error = ingress.errors.find((e) => e.protocol === rule.protocol && e.port === rule.port);
      if (error) return { reason: `${label}: ${error.message}`, failed: true };
      return { reason: `${label} is not open yet` };
    }
    if (rule.backends.length === 0) return { reason: `${label}: no task is running and healthy yet` };
    const routed = new Set(bound.backends);
    const current = rule.backends.filter((b) => routed.has(b)).length;
    if (current !== rule.backends.length || routed.size !== rule.backends.length) {
      return { reason: `${label} routes to ${current} of ${rule.backends.length} running tasks` };
    }
  }
  return undefined;
}
