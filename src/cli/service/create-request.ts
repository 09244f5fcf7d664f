import { parseOrThrow } from '../../api/validation.js';
import { serviceSpecSchema, type ServiceSpec } from '../../api/service-spec.js';
import type { CreateServiceRequest } from '../../client/types.js';
import { applyServiceFlags } from './apply-flags.js';
import { createFlagNames, type ServiceFlagValues } from './flag-values.js';

/** Options as commander hands them to `service create`. */
export interface CreateOptions extends Omit<ServiceFlagValues, 'image' | 'args'> {
  name?: string;
  constraint?: string[];
  placementPref?: string[];
  publish?: string[];
  mount?: string[];
  secret?: string[];
  config?: string[];
  env?: string[];
  label?: string[];
  containerLabel?: string[];
  detach?: boolean;
}

/**
 * The body of POST /v1/services for `shoal service create [flags] IMAGE [ARG...]`. The spec is
 * built as a fresh spec with defaults and then modified exactly as `service update` would,
 * so both commands read every flag the same way.
 */
export function buildCreateRequest(
  image: string,
  args: readonly string[],
  opts: CreateOptions,
  lookupEnv: (key: string) => string | undefined = () => undefined,
): CreateServiceRequest & { spec: ServiceSpec } {
  const fresh = parseOrThrow(serviceSpecSchema, { image }, 'image');
  const flags: ServiceFlagValues = {
    ...opts,
    envAdd: opts.env,
    labelAdd: opts.label,
    containerLabelAdd: opts.containerLabel,
    constraintAdd: opts.constraint,
    placementPrefAdd: opts.placementPref,
    publishAdd: opts.publish,
    mountAdd: opts.mount,
    secretAdd: opts.secret,
    configAdd: opts.config,
  };
  // Mode first, so that --replicas can be checked against it.
  const spec = applyServiceFlags(fresh, flags, { names: createFlagNames, lookupEnv });
  if (args.length > 0) spec.args = [...args];
  return { name: opts.name ?? nameFromImage(image), spec };
}

/** "ghcr.io/acme/web-api:1.2" → "web-api": docker would pick a random name; this one says what runs. */
export function nameFromImage(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const last = withoutDigest.split('/').pop() ?? withoutDigest;
  const base = last.split(':')[0] ?? last;
  const cleaned = base.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return cleaned.slice(0, 63) || 'service';
}
