import type { FileReference } from '../../api/service-spec.js';
import { ParseError } from './parse-error.js';

const keyAliases: Record<string, keyof FileReference> = { source: 'source', src: 'source', target: 'target', dst: 'target', destination: 'target', uid: 'uid', gid: 'gid', mode: 'mode' };

/**
 * A --secret / --config value in docker's form: `NAME`, or
 * `source=NAME,target=PATH,uid=0,gid=0,mode=0400` (mode in octal, as docker takes it).
 */
export function parseFileReference(text: string): FileReference {
  if (!text.includes('=')) {
    if (!text.trim()) throw new ParseError('needs a name');
    return { source: text.trim(), mode: 0o444 };
  }
  const ref: Partial<FileReference> = {};
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const rawKey = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase();
    const key = keyAliases[rawKey];
    if (!key) throw new ParseError(`unknown field "${rawKey}" (use source, target, uid, gid, mode)`);
    const value = eq === -1 ? '' : item.slice(eq + 1).trim();
    if (!value) throw new ParseError(`${rawKey}= needs a value`);
    if (key === 'mode') {
      if (!/^0?[0-7]{1,3}$/.test(value)) throw new ParseError(`mode "${value}" must be an octal file mode such as 0400`);
      ref.mode = Number.parseInt(value, 8);
    } else if ((key === 'uid' || key === 'gid') && !/^\d+$/.test(value)) {
      throw new ParseError(`${key} "${value}" must be a numeric id`);
    } else {
      ref[key] = value;
    }
  }
  if (!ref.source) throw new ParseError('source= is required');
  return { ...ref, source: ref.source, mode: ref.mode ?? 0o444 };
}
