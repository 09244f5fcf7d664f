import type { FileReference } from '../api/service-spec.js';
import type { ServiceContext } from './service-context.js';
import { parseMode } from './units.js';
import type { Tree } from './yaml-tree.js';

type FileReferenceInput = Partial<FileReference> & { source: string };

/** A service's `secrets:` or `configs:` (a name, or {source, target, uid, gid, mode}). */
export function mapFileRefs(ctx: ServiceContext, node: Tree, kind: 'secrets' | 'configs'): FileReferenceInput[] {
  const { r } = ctx;
  const out: FileReferenceInput[] = [];
  const declared = ctx.declared[kind];
  const check = (name: string, at: Tree['at']): boolean => {
    if (declared.has(name)) return true;
    r.error(at, `${kind === 'secrets' ? 'secret' : 'config'} "${name}" is not defined in the top-level ${kind}`);
    return false;
  };
  for (const item of r.seq(node)?.items ?? []) {
    if (item.kind === 'scalar') {
      const source = r.string(item);
      if (source !== undefined && check(source, item.at)) {
        ctx.origin(`${kind}.${out.length}`, item.at);
        out.push({ source });
      }
      continue;
    }
    const map = r.map(item);
    if (!map) continue;
    r.checkKeys(map, ['source', 'target', 'uid', 'gid', 'mode']);
    const source = r.string(map.entries.get('source'));
    if (source === undefined) {
      if (!map.entries.has('source')) r.error(map.at, 'is required', 'source');
      continue;
    }
    if (!check(source, map.entries.get('source')?.at ?? map.at)) continue;
    const ref: FileReferenceInput = { source };
    const target = r.string(map.entries.get('target'));
    if (target !== undefined) ref.target = target;
    const uid = r.string(map.entries.get('uid'));
    if (uid !== undefined) ref.uid = uid;
    const gid = r.string(map.entries.get('gid'));
    if (gid !== undefined) ref.gid = gid;
    const modeNode = map.entries.get('mode');
    if (modeNode?.kind === 'scalar' && (typeof modeNode.value === 'number' || typeof modeNode.value === 'string')) {
      const mode = parseMode(modeNode.value, modeNode.source);
      if (typeof mode === 'string') r.error(modeNode.at, mode);
      else ref.mode = mode;
    } else if (modeNode) r.error(modeNode.at, 'must be a file mode such as 0440');
    ctx.origin(`${kind}.${out.length}`, map.at);
    out.push(ref);
  }
  return out;
}
