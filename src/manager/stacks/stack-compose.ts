import type { StackSourceFile, StackSpec } from '../../api/stack-spec.js';

/** What rendering a stack takes: the source files, the variables and the referenced files' bytes. */
export interface RenderInput {
  files: StackSourceFile[];
  envFile?: StackSourceFile;
  variables: Record<string, string>;
  /** Files the compose files reference (env_file, secret and config `file:`), as base64 by relative path. */
  fileData: Record<string, string>;
}

export interface RequiredInputs {
  /** Variable names the files interpolate or take content from. */
  variables: string[];
  /** Relative paths of files the client must send (env_file, secret and config `file:`). */
  files: string[];
}

/**
 * What the stack API needs of the compose renderer (`src/compose`). Kept as an interface so the
 * deploy logic is tested with a renderer of its own and the parser can change without it.
 * `render` throws a ShoalError (invalid_argument) whose message lists `file:line: key: problem`.
 * The manager's renders run on worker threads (`compose-worker-pool.ts`), hence the promises.
 */
export interface StackCompose {
  render(input: RenderInput): StackSpec | Promise<StackSpec>;
  /** The values the `.env` file gives its variables, to find what came from credential variables. */
  dotenvValues?(input: RenderInput): Record<string, string> | Promise<Record<string, string>>;
  /** `variables` resolve variables inside paths; `fileData` adds the variables env files use. */
  requiredInputs(
    files: StackSourceFile[],
    envFile: StackSourceFile | undefined,
    options: { variables: Record<string, string>; fileData: Record<string, string> },
  ): RequiredInputs | Promise<RequiredInputs>;
}
