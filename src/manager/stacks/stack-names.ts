import { ShoalError } from '../../api/errors.js';
import { hardLimitHint, limits } from '../../api/limits.js';
import { namePattern, serviceSpecSchema, type NetworkAttachment, type ServiceSpec, type ServiceSpecInput } from '../../api/service-spec.js';
import type { StackResource, StackSpec } from '../../api/stack-spec.js';
import { parseOrThrow } from '../../api/validation.js';

/**
 * A stack's resources are named `STACK_NAME`, as `docker stack deploy` names them, so two
 * stacks (or a stack and hand-made services) never share a name by accident. External
 * resources keep the name the compose file gives them.
 */
export const prefixed = (stack: string, short: string): string => `${stack}_${short}`;

/** The name a stack resource has in the environment. */
export function resourceName(stack: string, short: string, resource: StackResource | undefined): string {
  if (resource?.external) return resource.name ?? short;
  return prefixed(stack, short);
}

/** The networks a compose service joins (short name → aliases); `default` for one that names none. */
export function serviceNetworksOf(rendered: StackSpec, short: string): Record<string, { aliases: string[] }> {
  return rendered.serviceNetworks?.[short] ?? { default: { aliases: [] } };
}

/** A compose service's `spec.networks`: its networks by their names in the environment, sorted. */
export function serviceAttachments(stack: string, rendered: StackSpec, short: string): NetworkAttachment[] {
  return Object.entries(serviceNetworksOf(rendered, short))
    .map(([key, { aliases }]) => ({ target: resourceName(stack, key, rendered.networks[key]), aliases: [...aliases] }))
    .sort((a, b) => a.target.localeCompare(b.target));
}

export interface DesiredService {
  /** The compose file's name for it. */
  short: string;
  /** The service's name in the environment. */
  name: string;
  spec: ServiceSpec;
}

/**
 * The services a rendered stack asks for, with every reference (dependencies, co-location,
 * secrets, configs, named volumes, networks) turned from the compose file's short names into the names
 * the environment knows, and each spec validated with its defaults filled in, so it compares
 * equal to what the store holds when nothing changed.
 */
export function desiredServices(stack: string, rendered: StackSpec): DesiredService[] {
  const shorts = Object.keys(rendered.services).sort();
  if (shorts.length > limits.servicesPerStack) {
    throw new ShoalError('invalid_argument', `services: the stack has ${shorts.length} services; at most ${limits.servicesPerStack} are allowed (${hardLimitHint})`, 'services');
  }
  const inStack = new Set(shorts);
  const serviceRef = (name: string): string => (inStack.has(name) ? prefixed(stack, name) : name);
  return shorts.map((short) => {
    const field = `services.${short}`;
    const name = prefixed(stack, short);
    if (!namePattern.test(name)) {
      throw new ShoalError('invalid_argument', `${field}: the service name "${name}" (stack name + "_" + service name) must be 1-63 letters, digits, "_", "." or "-"`, field);
    }
    const input = rendered.services[short] as ServiceSpecInput;
    const mapped: ServiceSpecInput = {
      ...input,
      ...(input.dependsOn ? { dependsOn: input.dependsOn.map((d) => ({ ...d, service: serviceRef(d.service) })) } : {}),
      ...(input.placement
        ? {
            placement: {
              ...input.placement,
              ...(input.placement.colocateWith ? { colocateWith: input.placement.colocateWith.map(serviceRef) } : {}),
              ...(input.placement.avoid ? { avoid: input.placement.avoid.map(serviceRef) } : {}),
            },
          }
        : {}),
      ...(input.mounts
        ? {
            mounts: input.mounts.map((m) => {
              if ((m.type ?? 'volume') !== 'volume' || !m.source) return m;
              const volume = rendered.volumes[m.source];
              return volume ? { ...m, source: resourceName(stack, m.source, volume) } : m;
            }),
          }
        : {}),
      // The file keeps the short name inside the container, as compose and docker stack do.
      ...(input.secrets ? { secrets: input.secrets.map((s) => ({ ...s, target: s.target ?? s.source, source: resourceName(stack, s.source, rendered.secrets[s.source]) })) } : {}),
      ...(input.configs ? { configs: input.configs.map((c) => ({ ...c, target: c.target ?? c.source, source: resourceName(stack, c.source, rendered.configs[c.source]) })) } : {}),
      networks: serviceAttachments(stack, rendered, short),
    };
    return { short, name, spec: parseOrThrow(serviceSpecSchema, mapped, field) };
  });
}
