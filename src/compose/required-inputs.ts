import type { StackSourceFile } from '../api/stack-spec.js';
import { Diagnostics } from './compose-error.js';
import { parseDotenv } from './dotenv.js';
import { interpolate, type Lookup } from './interpolate.js';
import { treeVariables } from './interpolate-tree.js';
import { envFileRefs, normalizePath } from './service-environment.js';
import { Reader } from './tree-read.js';
import { parseTree, type Tree } from './yaml-tree.js';

export interface RequiredInputs {
  /** Variable names the files use (interpolation, `environment: [KEY]`, secret/config `environment:`), sorted. */
  variables: string[];
  /** Paths (normalized, relative to the first compose file's directory) the client must read and send in `fileData`: secret and config `file:`s and `env_file`s. */
  files: string[];
  /** `env_file`s marked `required: false`: send them when they exist. */
  optionalFiles: string[];
}

/**
 * What a client must send along with the compose files so the manager can render them, so the
 * CLI sends only these variables, never its whole environment. Pure, like renderStack.
 *
 * - `options.variables`: the client's environment, only to resolve variables inside paths
 *   (`file: ./${ENV}.pem`); nothing of it is returned but names.
 * - `options.fileData`: env files already read (base64 by path, as `renderStack` takes them):
 *   the variables they use are then included. So the CLI calls this once, reads `files` and
 *   `optionalFiles`, and calls it again with them to get the complete variable list.
 *
 * Throws a ComposeError only when a file is not valid YAML; every other problem is left to
 * renderStack, which reports them all.
 */
export function requiredInputs(
  files: StackSourceFile[],
  envFile?: StackSourceFile,
  options: { variables?: Record<string, string>; fileData?: Record<string, string> } = {},
): RequiredInputs {
  const diag = new Diagnostics();
  const r = new Reader(new Diagnostics());
  const variables = new Set<string>();
  const given = options.variables ?? {};
  const fromGiven: Lookup = (name) => (Object.hasOwn(given, name) ? given[name] : undefined);
  const dotenv = new Map<string, string>();
  if (envFile) {
    const parsed = parseDotenv(envFile.content, fromGiven);
    parsed.names.forEach((n) => variables.add(n));
    for (const e of parsed.entries) if (e.value !== undefined) dotenv.set(e.key, e.value);
  }
  const lookup: Lookup = (name) => fromGiven(name) ?? dotenv.get(name);
  const expand = (text: string): string => {
    const result = interpolate(text, lookup);
    return normalizePath(result.ok ? result.value : text);
  };
  const needed = new Set<string>();
  const optional = new Set<string>();
  for (const file of files) {
    const tree = parseTree(file, diag);
    if (!tree || tree.kind !== 'map') continue;
    treeVariables(tree, variables);
    const services = tree.entries.get('services');
    for (const [, svc] of services?.kind === 'map' ? services.entries : []) {
      if (svc.kind !== 'map') continue;
      bareKeys(svc.entries.get('environment'), variables);
      for (const ref of envFileRefs({ r }, svc.entries.get('env_file'))) (ref.required ? needed : optional).add(expand(ref.path));
    }
    for (const section of ['secrets', 'configs']) {
      const map = tree.entries.get(section);
      for (const [, entry] of map?.kind === 'map' ? map.entries : []) {
        if (entry.kind !== 'map') continue;
        const path = entry.entries.get('file');
        if (path?.kind === 'scalar' && typeof path.value === 'string') needed.add(expand(path.value));
        const env = entry.entries.get('environment');
        if (env?.kind === 'scalar' && typeof env.value === 'string') variables.add(env.value);
      }
    }
  }
  diag.throwIfAny(files.map((f) => f.name));
  for (const [path, data] of Object.entries(options.fileData ?? {})) {
    const p = normalizePath(path);
    if (!needed.has(p) && !optional.has(p)) continue;
    parseDotenv(Buffer.from(data, 'base64').toString('utf8'), lookup).names.forEach((n) => variables.add(n));
  }
  for (const p of needed) optional.delete(p);
  return { variables: [...variables].sort(), files: [...needed].sort(), optionalFiles: [...optional].sort() };
}

/** `environment: [KEY]` and `KEY:` without a value take the variable KEY. */
function bareKeys(node: Tree | undefined, into: Set<string>): void {
  if (node?.kind === 'seq') {
    for (const item of node.items) if (item.kind === 'scalar' && typeof item.value === 'string' && !item.value.includes('=')) into.add(item.value);
  } else if (node?.kind === 'map') {
    for (const [key, value] of node.entries) if (value.kind === 'scalar' && value.value === null) into.add(key);
  }
}
