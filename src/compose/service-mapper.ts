import type { DependencySpec, ServiceSpecInput } from '../api/service-spec.js';
import type { ServiceContext } from './service-context.js';
import { unknownService } from './service-context.js';
import { mapDeploy } from './service-deploy.js';
import { mapEnvironment } from './service-environment.js';
import { mapFileRefs } from './service-files.js';
import { mapHealthcheck } from './service-healthcheck.js';
import { allServiceKeys, refusedServiceKeys, warnedServiceKeys } from './service-keys.js';
import { mapMounts } from './service-mounts.js';
import { checkExpose, mapPorts } from './service-ports.js';
import { readDuration, stringMap } from './service-deploy.js';
import { shellWords } from './shell-words.js';
import { isNull } from './tree-read.js';
import type { Tree, TreeMap } from './yaml-tree.js';

export interface MappedService {
  spec: ServiceSpecInput;
  /** Network name → the service's aliases on it. */
  networks: Record<string, { aliases: string[] }>;
}

const conditions: Record<string, DependencySpec['condition']> = {
  service_started: 'started',
  service_healthy: 'healthy',
  service_completed_successfully: 'completed',
};

/** Turns one merged compose service into a service spec; problems go to `ctx.r`. */
export function mapService(ctx: ServiceContext, service: TreeMap): MappedService {
  const { r } = ctx;
  const e = service.entries;
  checkServiceKeys(ctx, service);
  const spec: ServiceSpecInput = { image: '' };
  const image = r.string(e.get('image'));
  if (image !== undefined) {
    spec.image = image;
    ctx.origin('image', e.get('image')?.at ?? ctx.at);
  } else if (!e.has('image')) r.error(ctx.at, 'is required (Shoal runs images; it does not build them)', 'image');

  const words = (key: string): string[] | undefined => {
    const node = e.get(key);
    if (!node || isNull(node)) return undefined;
    ctx.origin(key === 'command' ? 'args' : 'entrypoint', node.at);
    if (node.kind === 'scalar' && typeof node.value === 'string') {
      const split = shellWords(node.value);
      if (typeof split === 'string') return void r.error(node.at, split);
      return split;
    }
    return r.strings(node);
  };
  // compose's `command` is the image's CMD (the spec's `args`); `entrypoint` replaces ENTRYPOINT.
  const args = words('command');
  if (args) spec.args = args;
  const entrypoint = words('entrypoint');
  if (entrypoint) spec.entrypoint = entrypoint;

  spec.env = mapEnvironment(ctx, e);
  const single = (key: string, field: 'workdir' | 'user' | 'hostname' | 'stopSignal'): void => {
    const v = r.string(e.get(key));
    if (v === undefined) return;
    spec[field] = v;
    ctx.origin(field, e.get(key)?.at ?? ctx.at);
  };
  single('working_dir', 'workdir');
  single('user', 'user');
  single('hostname', 'hostname');
  single('stop_signal', 'stopSignal');
  const grace = readDuration(r, e.get('stop_grace_period'));
  if (grace !== undefined) spec.stopGracePeriodMs = grace;
  const init = r.bool(e.get('init'));
  if (init !== undefined) spec.init = init;

  if (e.has('labels')) spec.containerLabels = stringMap(r, e.get('labels') as Tree);
  if (e.has('ports')) spec.ports = mapPorts(ctx, e.get('ports') as Tree);
  if (e.has('expose')) checkExpose(ctx, e.get('expose') as Tree);
  if (e.has('volumes') || e.has('tmpfs')) spec.mounts = mapMounts(ctx, e.get('volumes'), e.get('tmpfs'));
  if (e.has('healthcheck')) {
    const hc = mapHealthcheck(ctx, e.get('healthcheck') as Tree);
    if (hc) spec.healthcheck = hc as ServiceSpecInput['healthcheck'];
  }
  if (e.has('secrets')) spec.secrets = mapFileRefs(ctx, e.get('secrets') as Tree, 'secrets');
  if (e.has('configs')) spec.configs = mapFileRefs(ctx, e.get('configs') as Tree, 'configs');

  const deploy = mapDeploy(ctx, service);
  if (deploy.mode) spec.mode = deploy.mode;
  if (deploy.replicas !== undefined) spec.replicas = deploy.replicas;
  if (deploy.labels) spec.labels = deploy.labels;
  if (deploy.resources) spec.resources = deploy.resources;
  if (deploy.restartPolicy) spec.restartPolicy = deploy.restartPolicy;
  if (deploy.updateConfig) spec.updateConfig = deploy.updateConfig;
  if (deploy.rollbackConfig) spec.rollbackConfig = deploy.rollbackConfig;
  spec.placement = { ...deploy.placement, ...shoalPlacement(ctx, e.get('x-shoal')) };

  if (e.has('depends_on')) spec.dependsOn = mapDependsOn(ctx, e.get('depends_on') as Tree);
  return { spec, networks: mapNetworks(ctx, e.get('networks')) };
}

function checkServiceKeys(ctx: ServiceContext, service: TreeMap): void {
  const { r } = ctx;
  r.checkKeys(service, allServiceKeys);
  for (const [key, value] of service.entries) {
    const warned = warnedServiceKeys[key];
    if (warned) r.warn(value.at, warned);
    const refused = refusedServiceKeys[key];
    if (refused && !asksForNothing(value)) r.error(value.at, refused);
  }
}

/** `privileged: false`, `cap_add: []`: a refused key that asks for nothing is harmless. */
function asksForNothing(node: Tree): boolean {
  if (node.kind === 'scalar') return node.value === null || node.value === false || node.value === 'false' || node.value === '';
  return node.kind === 'seq' ? node.items.length === 0 : node.entries.size === 0;
}

function mapDependsOn(ctx: ServiceContext, node: Tree): DependencySpec[] {
  const { r } = ctx;
  const map = r.map(node);
  const out: DependencySpec[] = [];
  for (const [name, value] of map?.entries ?? []) {
    if (name.startsWith('\0')) {
      r.error(value.at, 'must be a service name');
      continue;
    }
    let condition: DependencySpec['condition'] = 'started';
    let required = true;
    if (!isNull(value)) {
      const long = r.map(value);
      if (!long) continue;
      r.checkKeys(long, ['condition', 'restart', 'required']);
      const text = r.string(long.entries.get('condition'));
      if (text !== undefined) {
        const mapped = conditions[text];
        if (!mapped) {
          r.error(long.entries.get('condition')?.at ?? long.at, `"${text}" is not a condition: use service_started, service_healthy or service_completed_successfully`);
          continue;
        }
        condition = mapped;
      }
      if (r.bool(long.entries.get('restart'))) r.warn(long.at, 'ignored (Shoal does not restart dependents)', 'restart');
      required = r.bool(long.entries.get('required')) ?? true;
    }
    if (name === ctx.name) {
      r.error(value.at, `service "${name}" depends on itself`);
      continue;
    }
    if (!ctx.services.has(name)) {
      if (required) r.error(value.at, unknownService(ctx, name));
      else r.warn(value.at, `${unknownService(ctx, name)}: optional dependency left out`);
      continue;
    }
    ctx.origin(`dependsOn.${out.length}`, value.at);
    out.push({ service: name, condition });
  }
  return out;
}

function mapNetworks(ctx: ServiceContext, node: Tree | undefined): Record<string, { aliases: string[] }> {
  const { r } = ctx;
  if (!node) return { default: { aliases: [] } };
  const map = r.map(node);
  const out: Record<string, { aliases: string[] }> = {};
  for (const [name, value] of map?.entries ?? []) {
    if (name.startsWith('\0')) {
      r.error(value.at, 'must be a network name');
      continue;
    }
    if (!ctx.declared.networks.has(name) && name !== 'default') {
      r.error(value.at, `network "${name}" is not defined in the top-level networks`);
      continue;
    }
    const entry = { aliases: [] as string[] };
    const settings = r.optionalMap(value);
    if (settings) {
      r.checkKeys(settings, ['aliases', 'ipv4_address', 'ipv6_address', 'link_local_ips', 'mac_address', 'driver_opts', 'priority', 'gw_priority', 'interface_name']);
      entry.aliases = r.strings(settings.entries.get('aliases')) ?? [];
      for (const k of ['ipv4_address', 'ipv6_address', 'link_local_ips', 'mac_address']) {
        const v = settings.entries.get(k);
        if (v) r.error(v.at, 'is not supported: Shoal assigns container addresses');
      }
      for (const k of ['driver_opts', 'priority', 'gw_priority', 'interface_name']) {
        if (settings.entries.has(k)) r.warn(settings.at, 'ignored (not supported by Shoal)', k);
      }
    }
    out[name] = entry;
  }
  return out;
}

/** Shoal's own `x-shoal: { colocate_with: [svc], avoid: [svc] }`. */
function shoalPlacement(ctx: ServiceContext, node: Tree | undefined): { colocateWith?: string[]; avoid?: string[] } {
  const { r } = ctx;
  const map = r.optionalMap(node);
  if (!map) return {};
  r.checkKeys(map, ['colocate_with', 'avoid']);
  const out: { colocateWith?: string[]; avoid?: string[] } = {};
  for (const [key, field] of [['colocate_with', 'colocateWith'], ['avoid', 'avoid']] as const) {
    const listNode = map.entries.get(key);
    if (!listNode) continue;
    const names = r.strings(listNode, true) ?? [];
    const items = listNode.kind === 'seq' ? listNode.items : [listNode];
    const kept: string[] = [];
    names.forEach((name, i) => {
      const at = items[i]?.at ?? listNode.at;
      if (name === ctx.name) r.error(at, `a service cannot name itself`);
      else if (!ctx.services.has(name)) r.error(at, unknownService(ctx, name));
      else {
        ctx.origin(`placement.${field}.${kept.length}`, at);
        kept.push(name);
      }
    });
    out[field] = kept;
  }
  return out;
}
