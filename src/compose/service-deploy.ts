import type { Placement, Resources, RestartPolicy, UpdateConfig } from '../api/service-spec.js';
import type { ServiceContext } from './service-context.js';
import type { Reader } from './tree-read.js';
import { parseBytes, parseCpus, parseDuration } from './units.js';
import type { Tree, TreeMap } from './yaml-tree.js';

/** What `deploy:` (and the older service-level `restart`, `scale`, `cpus`, `mem_*`) become. */
export interface DeployParts {
  mode?: 'replicated' | 'global';
  replicas?: number;
  labels?: Record<string, string>;
  resources?: Resources;
  restartPolicy?: Partial<RestartPolicy>;
  updateConfig?: Partial<UpdateConfig>;
  rollbackConfig?: Partial<UpdateConfig>;
  placement?: Partial<Placement>;
}

export function readDuration(r: Reader, node: Tree | undefined): number | undefined {
  if (!node) return undefined;
  const text = r.string(node);
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (typeof ms === 'string') {
    r.error(node.at, ms);
    return undefined;
  }
  return ms;
}

function readWith(r: Reader, node: Tree | undefined, parse: (v: string | number) => number | string): number | undefined {
  if (!node) return undefined;
  const v = node.kind === 'scalar' && (typeof node.value === 'string' || typeof node.value === 'number') ? node.value : undefined;
  if (v === undefined) return void r.error(node.at, 'must be a number or a string');
  const n = parse(v);
  if (typeof n === 'string') return void r.error(node.at, n);
  return n;
}

/** `restart: no | always | on-failure[:N] | unless-stopped`. */
export function mapRestart(r: Reader, node: Tree): Partial<RestartPolicy> | undefined {
  const text = r.string(node);
  if (text === undefined) return undefined;
  if (text === 'no') return { condition: 'none' };
  if (text === 'always' || text === 'unless-stopped') return { condition: 'any' };
  const m = /^on-failure(?::(\d+))?$/.exec(text);
  if (m) return { condition: 'on-failure', ...(m[1] ? { maxAttempts: Number(m[1]) } : {}) };
  r.error(node.at, `"${text}" is not a restart policy: use no, always, on-failure[:N] or unless-stopped`);
  return undefined;
}

export function mapDeploy(ctx: ServiceContext, service: TreeMap): DeployParts {
  const { r } = ctx;
  const out: DeployParts = {};
  const deploy = r.optionalMap(service.entries.get('deploy'));
  const get = (key: string): Tree | undefined => deploy?.entries.get(key);
  if (deploy) {
    r.checkKeys(deploy, ['mode', 'endpoint_mode', 'replicas', 'labels', 'rollback_config', 'update_config', 'resources', 'restart_policy', 'placement']);
  }
  const mode = r.string(get('mode'));
  if (mode === 'replicated' || mode === 'global') out.mode = mode;
  else if (mode === 'replicated-job' || mode === 'global-job') {
    r.error(get('mode')?.at ?? ctx.at, `"${mode}" is not supported: for a one-shot service use mode replicated with restart_policy condition none (or on-failure)`);
  } else if (mode !== undefined) r.error(get('mode')?.at ?? ctx.at, `"${mode}" is not a mode: use replicated or global`);

  const endpoint = r.string(get('endpoint_mode'));
  if (endpoint === 'dnsrr') r.warn(get('endpoint_mode')?.at ?? ctx.at, 'dnsrr ignored (Shoal chooses how a service name resolves)');
  else if (endpoint !== undefined && endpoint !== 'vip') r.error(get('endpoint_mode')?.at ?? ctx.at, `"${endpoint}" is not an endpoint mode: use vip or dnsrr`);

  const replicas = r.int(get('replicas'));
  const scale = r.int(service.entries.get('scale'));
  if (replicas !== undefined && scale !== undefined && replicas !== scale) {
    r.error(service.entries.get('scale')?.at ?? ctx.at, `scale (${scale}) and deploy.replicas (${replicas}) disagree`);
  }
  const count = replicas ?? scale;
  if (count !== undefined) {
    if (out.mode === 'global') r.warn(get('replicas')?.at ?? service.entries.get('scale')?.at ?? ctx.at, 'ignored (a global service runs one task per node)');
    else out.replicas = count;
  }

  const labels = get('labels');
  if (labels) out.labels = stringMap(r, labels);

  out.resources = mapResources(ctx, service, r.optionalMap(get('resources')));

  const policyNode = get('restart_policy');
  if (policyNode) {
    const policy = r.optionalMap(policyNode);
    if (policy) {
      r.checkKeys(policy, ['condition', 'delay', 'max_attempts', 'window']);
      const rp: Partial<RestartPolicy> = {};
      const cond = r.string(policy.entries.get('condition'));
      if (cond === 'none' || cond === 'on-failure' || cond === 'any') rp.condition = cond;
      else if (cond !== undefined) r.error(policy.entries.get('condition')?.at ?? policy.at, `"${cond}" is not a restart condition: use none, on-failure or any`);
      const delay = readDuration(r, policy.entries.get('delay'));
      if (delay !== undefined) rp.delayMs = delay;
      const attempts = r.int(policy.entries.get('max_attempts'));
      if (attempts !== undefined) rp.maxAttempts = attempts;
      const window = readDuration(r, policy.entries.get('window'));
      if (window !== undefined) rp.windowMs = window;
      out.restartPolicy = rp;
    }
  } else if (service.entries.has('restart')) {
    const rp = mapRestart(r, service.entries.get('restart') as Tree);
    if (rp) out.restartPolicy = rp;
  }
  if (out.restartPolicy) ctx.origin('restartPolicy', policyNode?.at ?? service.entries.get('restart')?.at ?? ctx.at);

  for (const [key, field] of [['update_config', 'updateConfig'], ['rollback_config', 'rollbackConfig']] as const) {
    const node = get(key);
    if (!node) continue;
    const map = r.optionalMap(node);
    if (!map) continue;
    ctx.origin(field, map.at);
    out[field] = mapUpdateConfig(r, map, key === 'rollback_config');
  }

  const placementNode = get('placement');
  if (placementNode) {
    const p = r.optionalMap(placementNode);
    if (p) {
      r.checkKeys(p, ['constraints', 'preferences', 'max_replicas_per_node']);
      const placement: Partial<Placement> = {};
      const constraints = r.strings(p.entries.get('constraints'));
      if (constraints) {
        placement.constraints = constraints;
        r.seq(p.entries.get('constraints'))?.items.forEach((item, i) => ctx.origin(`placement.constraints.${i}`, item.at));
      }
      const prefs = r.seq(p.entries.get('preferences'));
      if (prefs) {
        placement.preferences = [];
        for (const item of prefs.items) {
          const m = r.map(item);
          if (!m) continue;
          r.checkKeys(m, ['spread']);
          const spread = r.string(m.entries.get('spread'));
          if (spread === undefined) {
            if (!m.entries.has('spread')) r.error(m.at, 'is required', 'spread');
            continue;
          }
          ctx.origin(`placement.preferences.${placement.preferences.length}`, m.at);
          placement.preferences.push({ spread });
        }
      }
      const max = r.int(p.entries.get('max_replicas_per_node'));
      if (max !== undefined) {
        placement.maxReplicasPerNode = max;
        ctx.origin('placement.maxReplicasPerNode', p.entries.get('max_replicas_per_node')?.at ?? p.at);
      }
      out.placement = placement;
    }
  }
  return out;
}

function mapUpdateConfig(r: Reader, map: TreeMap, rollback: boolean): Partial<UpdateConfig> {
  r.checkKeys(map, ['parallelism', 'delay', 'failure_action', 'monitor', 'max_failure_ratio', 'order']);
  const u: Partial<UpdateConfig> = {};
  const parallelism = r.int(map.entries.get('parallelism'));
  if (parallelism !== undefined) u.parallelism = parallelism;
  const delay = readDuration(r, map.entries.get('delay'));
  if (delay !== undefined) u.delayMs = delay;
  const monitor = readDuration(r, map.entries.get('monitor'));
  if (monitor !== undefined) u.monitorMs = monitor;
  const action = r.string(map.entries.get('failure_action'));
  const actions = rollback ? ['pause', 'continue'] : ['pause', 'rollback', 'continue'];
  if (action !== undefined) {
    if (actions.includes(action)) u.failureAction = action as UpdateConfig['failureAction'];
    else r.error(map.entries.get('failure_action')?.at ?? map.at, `"${action}" is not a failure action: use ${actions.join(', ')}`);
  }
  const ratio = r.number(map.entries.get('max_failure_ratio'));
  if (ratio !== undefined) {
    if (ratio < 0 || ratio > 1) r.error(map.entries.get('max_failure_ratio')?.at ?? map.at, 'must be between 0 and 1');
    else u.maxFailureRatio = ratio;
  }
  const order = r.string(map.entries.get('order'));
  if (order !== undefined) {
    if (order === 'stop-first' || order === 'start-first') u.order = order;
    else r.error(map.entries.get('order')?.at ?? map.at, `"${order}" is not an order: use stop-first or start-first`);
  }
  return u;
}

function mapResources(ctx: ServiceContext, service: TreeMap, resources: TreeMap | undefined): Resources {
  const { r } = ctx;
  const out: Resources = { limits: { nanoCpus: 0, memoryBytes: 0 }, reservations: { nanoCpus: 0, memoryBytes: 0 } };
  if (resources) r.checkKeys(resources, ['limits', 'reservations']);
  const limits = r.optionalMap(resources?.entries.get('limits'));
  const reservations = r.optionalMap(resources?.entries.get('reservations'));
  if (limits) {
    r.checkKeys(limits, ['cpus', 'memory', 'pids']);
    if (limits.entries.has('pids')) r.warn(limits.at, 'ignored (not supported by Shoal)', 'pids');
  }
  if (reservations) {
    r.checkKeys(reservations, ['cpus', 'memory', 'generic_resources', 'devices']);
    for (const k of ['generic_resources', 'devices']) {
      if (reservations.entries.has(k)) r.error(reservations.entries.get(k)?.at ?? reservations.at, 'is not supported by Shoal');
    }
  }
  // The older service-level keys, used when deploy.resources does not say.
  const pick = (deployNode: Tree | undefined, legacy: string): Tree | undefined => {
    const old = service.entries.get(legacy);
    if (deployNode && old) r.warn(old.at, `ignored (deploy.resources sets it)`);
    return deployNode ?? old;
  };
  const set = (node: Tree | undefined, parse: (v: string | number) => number | string, write: (n: number) => void, specPath: string): void => {
    const n = readWith(r, node, parse);
    if (n === undefined || !node) return;
    write(n);
    ctx.origin(specPath, node.at);
  };
  set(pick(limits?.entries.get('cpus'), 'cpus'), parseCpus, (n) => (out.limits.nanoCpus = n), 'resources.limits.nanoCpus');
  set(pick(limits?.entries.get('memory'), 'mem_limit'), parseBytes, (n) => (out.limits.memoryBytes = n), 'resources.limits.memoryBytes');
  set(reservations?.entries.get('cpus'), parseCpus, (n) => (out.reservations.nanoCpus = n), 'resources.reservations.nanoCpus');
  set(pick(reservations?.entries.get('memory'), 'mem_reservation'), parseBytes, (n) => (out.reservations.memoryBytes = n), 'resources.reservations.memoryBytes');
  return out;
}

/** A mapping (or KEY=VALUE list, already turned into a mapping) of string values. */
export function stringMap(r: Reader, node: Tree): Record<string, string> {
  const map = r.optionalMap(node);
  const out: Record<string, string> = {};
  for (const [key, value] of map?.entries ?? []) {
    if (value.kind !== 'scalar') {
      r.error(value.at, `must be a string, not ${value.kind === 'map' ? 'a mapping' : 'a list'}`);
      continue;
    }
    out[key] = value.value === null ? '' : String(value.value);
  }
  return out;
}
