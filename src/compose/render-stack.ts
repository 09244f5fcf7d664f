import { invalidArgument } from '../api/errors.js';
import { nameSchema, serviceSpecSchema, type ServiceSpecInput } from '../api/service-spec.js';
import type { StackSourceFile, StackSpec } from '../api/stack-spec.js';
import { Diagnostics, type Position } from './compose-error.js';
import { findCycles } from './dependency-cycles.js';
import { parseDotenv } from './dotenv.js';
import type { Lookup } from './interpolate.js';
import { interpolateTree } from './interpolate-tree.js';
import { finishMerge, mergeTrees, normalizeFile } from './merge.js';
import type { ServiceContext } from './service-context.js';
import { normalizePath } from './service-environment.js';
import { mapService } from './service-mapper.js';
import { declaredNames, mapResources } from './top-level.js';
import { Reader } from './tree-read.js';
import { parseTree, type Tree, type TreeMap } from './yaml-tree.js';

export interface RenderStackInput {
  /** The compose files, merged in this order (as `-c a.yaml -c b.yaml`). */
  files: StackSourceFile[];
  /** The variables the client sent; they win over the `.env` file's, as the shell does in compose. */
  variables: Record<string, string>;
  /** The `.env` file beside the first compose file, if there is one. */
  envFile?: StackSourceFile;
  /**
   * Files the compose files reference, base64, by path as written (normalized: `./a.env` and
   * `a.env` are the same). Rendering reads `env_file`s from here; secret and config `file:`s
   * are left to the caller (the rendered spec names their paths).
   */
  fileData?: Record<string, string>;
}

export const topLevelKeys = ['version', 'name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'include', 'models'];
const projectName = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Renders compose files into the StackSpec the manager deploys. Pure: everything comes in
 * through `input`. Throws a ComposeError (invalid_argument) listing every problem found, each
 * as `file:line: key.path: message`; warnings about keys ignored on purpose are in
 * `spec.warnings`. Every service spec in the result passes `serviceSpecSchema`, with its
 * defaults filled in.
 */
export function renderStack(input: RenderStackInput): { spec: StackSpec } {
  if (input.files.length === 0) throw invalidArgument('files', 'at least one compose file is required');
  const diag = new Diagnostics();
  const r = new Reader(diag);
  const order = [...input.files.map((f) => f.name), ...(input.envFile ? [input.envFile.name] : [])];

  const fromVariables = (name: string): string | undefined => (Object.hasOwn(input.variables, name) ? input.variables[name] : undefined);
  const dotenv = new Map<string, string>();
  if (input.envFile) {
    const envName = input.envFile.name;
    const parsed = parseDotenv(input.envFile.content, fromVariables);
    for (const p of parsed.problems) diag.error({ file: envName, line: p.line, path: '' }, p.message);
    for (const e of parsed.entries) {
      const value = e.value ?? fromVariables(e.key);
      if (value !== undefined) dotenv.set(e.key, value);
    }
  }
  const lookup: Lookup = (name) => fromVariables(name) ?? dotenv.get(name);

  let merged: Tree | undefined;
  let servicesSeen = false;
  const warned = new Set<string>();
  for (const file of input.files) {
    const tree = parseTree(file, diag);
    if (!tree) continue;
    if (tree.kind !== 'map') {
      diag.error(tree.at, 'a compose file must be a mapping of top-level keys (services, networks, ...)');
      continue;
    }
    checkTopLevel(r, tree);
    servicesSeen ||= tree.entries.has('services');
    interpolateTree(tree, lookup, diag, warned);
    normalizeFile(tree, diag);
    merged = merged ? mergeTrees(merged, tree) : tree;
  }
  diag.throwIfAny(order);
  const root = merged ? (finishMerge(merged) as TreeMap) : undefined;
  if (!root || !servicesSeen) {
    diag.error({ file: input.files[0]?.name ?? '', line: 1, path: 'services' }, 'is required');
    diag.throwIfAny(order);
  }
  const top = root as TreeMap;
  const spec = renderRoot(r, top, lookup, input.fileData ?? {});
  diag.throwIfAny(order);
  spec.warnings = diag.warnings;
  return { spec };
}

function checkTopLevel(r: Reader, tree: TreeMap): void {
  r.checkKeys(tree, topLevelKeys, 'top-level key');
  for (const key of ['include', 'models']) {
    const node = tree.entries.get(key);
    if (node) r.error(node.at, key === 'include' ? 'is not supported: pass every file with -c instead' : 'is not supported by Shoal');
  }
}

function renderRoot(r: Reader, top: TreeMap, lookup: Lookup, fileData: Record<string, string>): StackSpec {
  const e = top.entries;
  const spec: StackSpec = { services: {}, serviceNetworks: {}, volumes: {}, networks: {}, secrets: {}, configs: {}, warnings: [] };
  const name = r.string(e.get('name'));
  if (name !== undefined) {
    if (projectName.test(name)) spec.name = name;
    else r.error(e.get('name')?.at ?? top.at, `"${name}" is not a project name: use lowercase letters, digits, "_" and "-", starting with a letter or digit`);
  }
  const declared = {
    networks: declaredNames(r, e.get('networks'), 'networks'),
    volumes: declaredNames(r, e.get('volumes'), 'volumes'),
    secrets: declaredNames(r, e.get('secrets'), 'secrets'),
    configs: declaredNames(r, e.get('configs'), 'configs'),
  };
  spec.networks = mapResources(r, e.get('networks'), 'networks', declared.networks);
  spec.volumes = mapResources(r, e.get('volumes'), 'volumes', declared.volumes);
  spec.secrets = mapResources(r, e.get('secrets'), 'secrets', declared.secrets);
  spec.configs = mapResources(r, e.get('configs'), 'configs', declared.configs);

  const services = r.map(e.get('services'));
  const included = new Map<string, TreeMap>();
  const leftOut = new Map<string, string[]>();
  for (const [svcName, node] of services?.entries ?? []) {
    if (svcName.startsWith('x-')) continue;
    if (!nameSchema.safeParse(svcName).success) {
      r.error(node.at, `"${svcName}" is not a valid service name: use 1-63 letters, digits, "_", "." or "-", starting with a letter or digit`);
      continue;
    }
    const svc = r.map(node);
    if (!svc) continue;
    const profiles = r.strings(svc.entries.get('profiles'), true) ?? [];
    if (profiles.length > 0) {
      leftOut.set(svcName, profiles);
      r.warn(svc.at, `left out: its profiles (${profiles.join(', ')}) are not active, and Shoal activates none`);
      continue;
    }
    included.set(svcName, svc);
  }

  const fileContent = (path: string): string | undefined => {
    const wanted = normalizePath(path);
    for (const [p, data] of Object.entries(fileData)) {
      if (normalizePath(p) === wanted) return Buffer.from(data, 'base64').toString('utf8');
    }
    return undefined;
  };
  const graph = new Map<string, string[]>();
  const dependsAt = new Map<string, Position>();
  for (const [svcName, svc] of included) {
    const origins = new Map<string, Position>();
    const ctx: ServiceContext = {
      r,
      name: svcName,
      at: svc.at,
      declared,
      services: new Set(included.keys()),
      leftOut,
      lookup,
      fileContent,
      origin: (path, at) => origins.set(path, at),
    };
    const mapped = mapService(ctx, svc);
    const valid = validate(r, mapped.spec, origins, svc.at);
    if (valid) spec.services[svcName] = valid;
    (spec.serviceNetworks as Record<string, Record<string, { aliases: string[] }>>)[svcName] = mapped.networks;
    if ('default' in mapped.networks && !spec.networks.default) spec.networks.default = { external: false };
    graph.set(svcName, (mapped.spec.dependsOn ?? []).map((d) => d.service));
    dependsAt.set(svcName, svc.entries.get('depends_on')?.at ?? svc.at);
  }
  for (const cycle of findCycles(graph)) {
    const first = cycle[0] as string;
    r.error(dependsAt.get(first) ?? top.at, `dependency cycle: ${cycle.join(' → ')}`);
  }
  return spec;
}

/** Validates with the service schema, reporting each issue where that part of the spec came from. */
function validate(r: Reader, input: ServiceSpecInput, origins: Map<string, Position>, at: Position): ServiceSpecInput | undefined {
  const result = serviceSpecSchema.safeParse(input);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const parts = issue.path.map(String);
    let origin: Position | undefined;
    let rest: string[] = parts;
    let item = false;
    for (let n = parts.length; n > 0 && !origin; n--) {
      origin = origins.get(parts.slice(0, n).join('.'));
      if (origin) {
        rest = parts.slice(n);
        item = /^\d+$/.test(parts[n - 1] ?? '');
      }
    }
    // zod reports a bad record key (an environment or label name) with the real reason nested.
    const nested = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : (nested ?? issue.message);
    const field = rest.join('.');
    // Inside a list item the spec's field names mean little to the file's author: the item's line says enough.
    if (!origin) r.error(at, message, field);
    else r.error(origin, field && !item ? `${field}: ${message}` : message);
  }
  return undefined;
}
