import type { PortSpec } from '../api/service-spec.js';
import { expandPorts, parsePortShort, parseRange, type ParsedPort } from './ports.js';
import type { ServiceContext } from './service-context.js';
import type { Tree } from './yaml-tree.js';

type PortInput = Partial<PortSpec> & { target: number };

/** `ports:` in short and long syntax → the spec's ports, one per port of a range. */
export function mapPorts(ctx: ServiceContext, node: Tree): PortInput[] {
  const { r } = ctx;
  const seq = r.seq(node);
  if (!seq) return [];
  const out: PortInput[] = [];
  for (const item of seq.items) {
    let parsed: ParsedPort | string | undefined;
    let mode: 'host' | 'ingress' | undefined;
    if (item.kind === 'scalar' && (typeof item.value === 'string' || typeof item.value === 'number')) {
      parsed = parsePortShort(item.value);
    } else if (item.kind === 'map') {
      r.checkKeys(item, ['target', 'published', 'host_ip', 'protocol', 'mode', 'name', 'app_protocol']);
      for (const k of ['name', 'app_protocol']) if (item.entries.has(k)) r.warn(item.at, `ignored (not supported by Shoal)`, k);
      const targetNode = item.entries.get('target');
      if (!targetNode) {
        r.error(item.at, 'is required', 'target');
        continue;
      }
      const target = parseRange(r.string(targetNode) ?? '');
      const publishedText = item.entries.get('published') ? r.string(item.entries.get('published')) : undefined;
      const published = publishedText !== undefined && publishedText !== '' ? parseRange(publishedText) : undefined;
      if (typeof target === 'string') {
        r.error(targetNode.at, target);
        continue;
      }
      if (typeof published === 'string') {
        r.error(item.entries.get('published')?.at ?? item.at, published);
        continue;
      }
      const modeText = r.string(item.entries.get('mode'));
      if (modeText !== undefined) {
        if (modeText === 'host' || modeText === 'ingress') mode = modeText;
        else r.error(item.entries.get('mode')?.at ?? item.at, `"${modeText}" is not a port mode: use host or ingress`);
      }
      parsed = {
        hostIp: r.string(item.entries.get('host_ip')) ?? '',
        target,
        ...(published ? { published } : {}),
        protocol: r.string(item.entries.get('protocol')) ?? 'tcp',
      };
    } else {
      r.error(item.at, `must be a port such as "8080:80" or a mapping with target`);
      continue;
    }
    if (typeof parsed === 'string') {
      r.error(item.at, parsed);
      continue;
    }
    const expanded = expandPorts(parsed);
    if (typeof expanded === 'string') {
      r.error(item.at, expanded);
      continue;
    }
    for (const p of expanded) {
      ctx.origin(`ports.${out.length}`, item.at);
      // As Swarm: a published port answers on every node; without one the engine picks a port where the task runs.
      out.push({ ...p, mode: mode ?? (p.published === undefined ? 'host' : 'ingress') });
    }
  }
  return out;
}

/** `expose:` is accepted and needs nothing: every port of a container is reachable on its networks. */
export function checkExpose(ctx: ServiceContext, node: Tree): void {
  const seq = ctx.r.seq(node);
  for (const item of seq?.items ?? []) {
    const text = item.kind === 'scalar' && item.value !== null ? String(item.value) : undefined;
    if (text === undefined || !/^\d+(-\d+)?(\/(tcp|udp))?$/.test(text)) ctx.r.error(item.at, `must be a port such as 80, 80/udp or 8000-8010`);
  }
}
