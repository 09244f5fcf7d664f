import { posix } from 'node:path';
import { parseDotenv } from './dotenv.js';
import type { ServiceContext } from './service-context.js';
import type { Tree } from './yaml-tree.js';

/** A referenced file's path as the client and the renderer both key it (`./a/../b.env` → `b.env`). */
export const normalizePath = (path: string): string => posix.normalize(path.replace(/\\/g, '/'));

export interface EnvFileRef {
  path: string;
  required: boolean;
  at: Tree['at'];
}

/** `env_file:` as a list of paths (string, list of strings, or list of {path, required}). */
export function envFileRefs(ctx: Pick<ServiceContext, 'r'>, node: Tree | undefined): EnvFileRef[] {
  if (!node) return [];
  const { r } = ctx;
  if (node.kind === 'scalar' && typeof node.value === 'string') return [{ path: node.value, required: true, at: node.at }];
  const out: EnvFileRef[] = [];
  for (const item of r.seq(node)?.items ?? []) {
    if (item.kind === 'map') {
      r.checkKeys(item, ['path', 'required', 'format']);
      const path = r.string(item.entries.get('path'));
      if (path === undefined) {
        if (!item.entries.has('path')) r.error(item.at, 'is required', 'path');
        continue;
      }
      const format = item.entries.get('format');
      if (format) r.error(format.at, 'is not supported: env files are read in compose\'s default format');
      out.push({ path, required: r.bool(item.entries.get('required')) ?? true, at: item.at });
    } else {
      const path = r.string(item);
      if (path !== undefined) out.push({ path, required: true, at: item.at });
    }
  }
  return out;
}

/**
 * The container environment: each `env_file` in order, then `environment:` over them. A key
 * without a value takes the variable of that name (variables, then `.env`); when it is not set
 * the key is left out, as compose does, with a warning.
 */
export function mapEnvironment(ctx: ServiceContext, service: Map<string, Tree>): Record<string, string> {
  const { r } = ctx;
  const env: Record<string, string> = {};
  for (const ref of envFileRefs(ctx, service.get('env_file'))) {
    const path = normalizePath(ref.path);
    const content = ctx.fileContent(path);
    if (content === undefined) {
      if (ref.required) r.error(ref.at, `env file "${ref.path}" was not sent by the client`);
      continue;
    }
    const parsed = parseDotenv(content, ctx.lookup);
    for (const p of parsed.problems) r.error({ file: path, line: p.line, path: '' }, p.message);
    for (const m of parsed.missing) r.warn({ file: path, line: m.line, path: '' }, `variable ${m.name} is not set: using an empty string`);
    for (const e of parsed.entries) {
      const value = e.value ?? ctx.lookup(e.key);
      if (value === undefined) r.warn({ file: path, line: e.line, path: e.key }, 'variable is not set: left out of the environment');
      else env[e.key] = value;
      ctx.origin(`env.${e.key}`, ref.at);
    }
  }
  const node = service.get('environment');
  const map = node ? r.optionalMap(node) : undefined;
  for (const [key, value] of map?.entries ?? []) {
    ctx.origin(`env.${key}`, value.at);
    if (value.kind !== 'scalar') {
      r.error(value.at, `must be a string, not ${value.kind === 'map' ? 'a mapping' : 'a list'}`);
      continue;
    }
    if (value.value !== null) {
      env[key] = String(value.value);
      continue;
    }
    const fromVariables = ctx.lookup(key);
    if (fromVariables === undefined) r.warn(value.at, `variable ${key} is not set: left out of the environment`);
    else env[key] = fromVariables;
  }
  return env;
}
