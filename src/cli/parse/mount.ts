import type { MountSpec } from '../../api/service-spec.js';
import { ParseError } from './parse-error.js';

const keyAliases: Record<string, 'type' | 'source' | 'target' | 'readonly'> = {
  type: 'type',
  source: 'source',
  src: 'source',
  target: 'target',
  destination: 'target',
  dst: 'target',
  readonly: 'readonly',
  ro: 'readonly',
};

/**
 * A --mount value in docker's form: `type=bind,source=/a,target=/b,readonly`,
 * `type=volume,source=v,target=/d`, `type=tmpfs,target=/t`. The type defaults to volume.
 */
export function parseMount(text: string): MountSpec {
  let type: MountSpec['type'] = 'volume';
  let source: string | undefined;
  let target: string | undefined;
  let readOnly = false;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const rawKey = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? undefined : item.slice(eq + 1).trim();
    const key = keyAliases[rawKey];
    if (!key) throw new ParseError(`unknown field "${rawKey}" (use type, source, target, readonly)`);
    if (key === 'readonly') {
      readOnly = value === undefined ? true : bool(value, rawKey);
      continue;
    }
    if (value === undefined || value === '') throw new ParseError(`${rawKey}= needs a value`);
    if (key === 'type') {
      if (value !== 'bind' && value !== 'volume' && value !== 'tmpfs') {
        throw new ParseError(`"${value}" is not a mount type (use bind, volume or tmpfs)`);
      }
      type = value;
    } else if (key === 'source') {
      source = value;
    } else {
      target = value;
    }
  }
  if (target === undefined) throw new ParseError('target= is required');
  if (!target.startsWith('/')) throw new ParseError(`target "${target}" must be an absolute path`);
  if (type === 'bind' && (source === undefined || !source.startsWith('/'))) {
    throw new ParseError('a bind mount needs an absolute source= path');
  }
  if (type === 'tmpfs' && source !== undefined) throw new ParseError('a tmpfs mount takes no source=');
  return { type, ...(source !== undefined ? { source } : {}), target, readOnly };
}

function bool(value: string, key: string): boolean {
  if (['true', '1', 'yes'].includes(value.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(value.toLowerCase())) return false;
  throw new ParseError(`${key}="${value}" must be true or false`);
}
