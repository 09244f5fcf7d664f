import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { StackSourceFile } from '../../api/stack-spec.js';
import type { DeployStackRequest } from '../../client/stack-types.js';
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
  const files = flags.composeFiles.map((path): StackSourceFile => {
    const bytes = reader.read(resolve(cwd, path));
    if (!bytes) throw flagError('--compose-file', path, 'no such file');
    return { name: path, content: bytes.toString('utf8') };
  });
  const projectDir = dirname(resolve(cwd, flags.composeFiles[0] ?? '.'));
  let envFile: StackSourceFile | undefined;
  if (flags.envFile !== undefined) {
    const bytes = reader.read(resolve(cwd, flags.envFile));
    if (!bytes) throw flagError('--env-file', flags.envFile, 'no such file');
    envFile = { name: flags.envFile, content: bytes.toString('utf8') };
  } else {
    const beside = join(projectDir, '.env');
    const bytes = reader.read(beside);
    if (bytes) envFile = { name: join(dirname(flags.composeFiles[0] ?? '.'), '.env'), content: bytes.toString('utf8') };
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
  return {
    files,
    ...(envFile ? { envFile } : {}),
    variables,
    fileData,
    ...(flags.prune ? { prune: true } : {}),
  };
}
