import type { MountSpec } from '../api/service-spec.js';
import type { Position } from './compose-error.js';
import type { ServiceContext } from './service-context.js';
import { isRelativePath, parseVolumeShort } from './volumes.js';
import type { Tree } from './yaml-tree.js';

type MountInput = Partial<MountSpec> & { target: string };

const relativeBind =
  'relative bind mounts are not supported: the manager cannot see the directory the compose file is in (use an absolute host path or a named volume)';

/** `volumes:` (short and long syntax) and `tmpfs:` → the spec's mounts. */
export function mapMounts(ctx: ServiceContext, volumes: Tree | undefined, tmpfs: Tree | undefined): MountInput[] {
  const out: MountInput[] = [];
  const add = (m: MountInput, at: Position): void => {
    ctx.origin(`mounts.${out.length}`, at);
    out.push(m);
  };
  for (const item of (volumes ? ctx.r.seq(volumes)?.items : undefined) ?? []) {
    const m = item.kind === 'map' ? longVolume(ctx, item) : shortVolume(ctx, item);
    if (m) add(m, item.at);
  }
  if (tmpfs) {
    const node = tmpfs.kind === 'scalar' ? { ...tmpfs, kind: 'seq' as const, items: [tmpfs] } : tmpfs;
    for (const item of ctx.r.seq(node)?.items ?? []) {
      const text = ctx.r.string(item);
      if (text === undefined) continue;
      const [target = '', options] = text.split(/:(.*)/s);
      if (options) ctx.r.warn(item.at, `options "${options}" ignored (not supported by Shoal)`);
      add({ type: 'tmpfs', target }, item.at);
    }
  }
  const targets = new Map<string, number>();
  out.forEach((m, i) => {
    if (targets.has(m.target)) ctx.r.error(ctx.at, `${m.target} is mounted twice`, 'volumes');
    targets.set(m.target, i);
  });
  return out;
}

function shortVolume(ctx: ServiceContext, item: Tree): MountInput | undefined {
  const text = ctx.r.string(item);
  if (text === undefined) return undefined;
  const parsed = parseVolumeShort(text);
  if (typeof parsed === 'string') {
    ctx.r.error(item.at, parsed);
    return undefined;
  }
  let readOnly = false;
  for (const option of parsed.options) {
    if (option === 'ro' || option === 'rw') readOnly = option === 'ro';
    else if (['z', 'Z', 'nocopy', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'consistent', 'cached', 'delegated'].includes(option)) {
      ctx.r.warn(item.at, `option "${option}" ignored (not supported by Shoal)`);
    } else {
      ctx.r.error(item.at, `"${option}" is not a volume option: use ro or rw`);
    }
  }
  return checkSource(ctx, item.at, { type: parsed.type, ...(parsed.source !== undefined ? { source: parsed.source } : {}), target: parsed.target, readOnly });
}

function longVolume(ctx: ServiceContext, item: Tree & { kind: 'map' }): MountInput | undefined {
  const { r } = ctx;
  r.checkKeys(item, ['type', 'source', 'target', 'read_only', 'consistency', 'bind', 'volume', 'tmpfs', 'image']);
  const type = r.string(item.entries.get('type'));
  const target = r.string(item.entries.get('target'));
  const source = r.string(item.entries.get('source'));
  const readOnly = r.bool(item.entries.get('read_only')) ?? false;
  if (type === undefined) {
    if (!item.entries.has('type')) r.error(item.at, 'is required (bind, volume or tmpfs)', 'type');
    return undefined;
  }
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') {
    r.error(item.entries.get('type')?.at ?? item.at, `"${type}" is not supported: use bind, volume or tmpfs`);
    return undefined;
  }
  if (target === undefined) {
    if (!item.entries.has('target')) r.error(item.at, 'is required', 'target');
    return undefined;
  }
  if (item.entries.has('consistency')) r.warn(item.at, 'ignored (not supported by Shoal)', 'consistency');
  const sub = (key: string, known: string[], refused: string[] = []): void => {
    const node = item.entries.get(key);
    if (!node) return;
    const map = r.optionalMap(node);
    if (!map) return;
    r.checkKeys(map, [...known, ...refused]);
    for (const k of known) if (map.entries.has(k)) r.warn(map.at, 'ignored (not supported by Shoal)', k);
    for (const k of refused) if (map.entries.has(k)) r.error(map.entries.get(k)?.at ?? map.at, 'is not supported by Shoal');
    if (key !== type) r.error(map.at, `applies only to type ${key}`);
  };
  sub('bind', ['propagation', 'create_host_path', 'selinux', 'recursive']);
  sub('volume', ['nocopy', 'labels'], ['subpath']);
  sub('tmpfs', ['size', 'mode']);
  if (item.entries.has('image')) r.error(item.at, 'applies only to type image, which Shoal does not support', 'image');
  if (type === 'tmpfs' && source !== undefined) {
    r.error(item.entries.get('source')?.at ?? item.at, 'a tmpfs mount takes no source');
    return undefined;
  }
  if (type === 'bind' && source === undefined) {
    r.error(item.at, 'is required for a bind mount', 'source');
    return undefined;
  }
  return checkSource(ctx, item.entries.get('source')?.at ?? item.at, { type, ...(source !== undefined ? { source } : {}), target, readOnly });
}

function checkSource(ctx: ServiceContext, at: Position, m: MountInput): MountInput | undefined {
  if (!m.target.startsWith('/')) {
    ctx.r.error(at, `the container path "${m.target}" must be absolute`);
    return undefined;
  }
  if (m.type === 'bind' && m.source !== undefined && isRelativePath(m.source)) {
    ctx.r.error(at, `"${m.source}": ${relativeBind}`);
    return undefined;
  }
  if (m.type === 'volume' && m.source !== undefined && !ctx.declared.volumes.has(m.source)) {
    ctx.r.error(at, `volume "${m.source}" is not defined in the top-level volumes`);
    return undefined;
  }
  return m;
}
