import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { StackSourceFile } from '../../api/stack-spec.js';
import type { DeployStackRequest } from '../../client/stack-types.js';
import { formatBytes } from '../../api/byte-size.js';
import { ShoalError } from '../../api/errors.js';
import { limits } from '../../api/limits.js';
import { flagError } from '../flag-error.js';

/** What `src/compose` says the client must send: variable names and files relative to the project. */
export type RequiredInputsOf = (
  files: StackSourceFile[],
  envFile: StackSourceFile | undefined,
  options: { variables: Record<string, string>; fileData?: Record<string, string> },
) => { variables: string[]; files: string[]; optionalFiles?: string[] };

export interface DeployFlags {
  composeFiles: string[];
  envFile?: string;
  prune?: boolean;
}

/** The file system as the request builder reads it (tests give it a map). */
export interface SourceReader {
  read(path: string): Buffer | undefined;
}

export const diskReader: SourceReader = {
  read: (path) => (existsSync(path) ? readFileSync(path) : undefined),
};

/**
 * Reads what a deploy sends, as docker compose reads it: the compose files in order, the `.env`
 * beside the first one (or `--env-file`), the values of only the variables they reference from
 * this process's environment, and the bytes of the files they reference (env_file, secret and
 * config `file:`), relative to the first compose file's directory. Nothing else of the
 * environment or the disk leaves the machine.
 */
export function buildDeployRequest(
  flags: DeployFlags,
  requiredInputs: RequiredInputsOf,
  env: Record<string, string | undefined>,
  reader: SourceReader = diskReader,
  cwd = process.cwd(),
): DeployStackRequest {
  if (flags.composeFiles.length === 0) throw flagError('--compose-file', '', 'give at least one compose file (-c FILE)');
  if (flags.composeFiles.length > limits.stackFiles) throw flagError('--compose-file', flags.composeFiles[limits.stackFiles] ?? '', `more than ${limits.stackFiles} compose files, the limit of one deploy`);
  // Sizes are checked before anything is parsed: a 10 MB file would keep the parser busy for
  // minutes only to be refused by the manager.
  const files = flags.composeFiles.map((path): StackSourceFile => {
    const bytes = reader.read(resolve(cwd, path));
    if (!bytes) throw flagError('--compose-file', path, 'no such file');
    return { name: path, content: withinFileLimit('--compose-file', path, bytes) };
  });
  const projectDir = dirname(resolve(cwd, flags.composeFiles[0] ?? '.'));
  let envFile: StackSourceFile | undefined;
  if (flags.envFile !== undefined) {
    const bytes = reader.read(resolve(cwd, flags.envFile));
    if (!bytes) throw flagError('--env-file', flags.envFile, 'no such file');
    envFile = { name: flags.envFile, content: withinFileLimit('--env-file', flags.envFile, bytes) };
  } else {
    const beside = join(projectDir, '.env');
    const bytes = reader.read(beside);
    if (bytes) envFile = { name: join(dirname(flags.composeFiles[0] ?? '.'), '.env'), content: withinFileLimit('--env-file', beside, bytes) };
  }
  // The environment only resolves variables inside paths here (`file: ./${ENV}.pem`); what is
  // sent is picked below by name.
  const shell = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const paths = requiredInputs(files, envFile, { variables: shell });
  // A referenced file that is missing is left to the manager, which names the key that wants it.
  const fileData: Record<string, string> = {};
  for (const path of [...paths.files, ...(paths.optionalFiles ?? [])]) {
    const bytes = reader.read(isAbsolute(path) ? path : resolve(projectDir, path));
    if (bytes) fileData[path] = bytes.toString('base64');
  }
  // Again with the env files read: the variables they use are needed too.
  const required = requiredInputs(files, envFile, { variables: shell, fileData });
  const variables: Record<string, string> = {};
  for (const name of required.variables) {
    const value = shell[name];
    if (value !== undefined) variables[name] = value;
  }
  const request: DeployStackRequest = {
    files,
    ...(envFile ? { envFile } : {}),
    variables,
    fileData,
    ...(flags.prune ? { prune: true } : {}),
  };
  checkRequestSize(request);
  return request;
}

function withinFileLimit(flag: string, path: string, bytes: Buffer): string {
  if (bytes.length > limits.composeFileBytes) {
    throw flagError(flag, path, `is ${formatBytes(bytes.length)}, larger than the ${formatBytes(limits.composeFileBytes)} limit of one file`);
  }
  return bytes.toString('utf8');
}

/**
 * The manager refuses a body over its limit (and cuts the connection while the client is still
 * writing, which a user sees as `write EPIPE`): say so before sending, naming the largest part.
 */
function checkRequestSize(request: DeployStackRequest): void {
  const size = Buffer.byteLength(JSON.stringify(request), 'utf8');
  if (size <= limits.requestBodyBytes) return;
  const parts: [string, number][] = [
    ...request.files.map((f): [string, number] => [f.name, Buffer.byteLength(f.content, 'utf8')]),
    ...(request.envFile ? [[request.envFile.name, Buffer.byteLength(request.envFile.content, 'utf8')] as [string, number]] : []),
    ...Object.entries(request.fileData ?? {}).map(([path, data]): [string, number] => [path, data.length]),
    ...Object.entries(request.variables ?? {}).map(([name, value]): [string, number] => [`variable ${name}`, Buffer.byteLength(value, 'utf8')]),
  ];
  const [name, largest] = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  throw new ShoalError(
    'invalid_argument',
    `stack deploy: the request would be ${formatBytes(size)}, larger than the manager's ${formatBytes(limits.requestBodyBytes)} limit; its largest part is ${name} (${formatBytes(largest)})`,
    '--compose-file',
  );
}
