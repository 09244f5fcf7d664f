import type { ErrorCode } from '../../api/errors.js';
import type { StackSourceFile, StackSpec } from '../../api/stack-spec.js';
import type { ComposeProblem } from '../../compose/index.js';
import type { RenderInput, RequiredInputs } from './stack-compose.js';

/** What the manager sends the compose worker, and what it answers (structured-cloned). */
export type ComposeJob =
  | { id: number; op: 'render'; input: RenderInput }
  | { id: number; op: 'dotenvValues'; input: RenderInput }
  | {
      id: number;
      op: 'requiredInputs';
      input: { files: StackSourceFile[]; envFile: StackSourceFile | undefined; options: { variables: Record<string, string>; fileData: Record<string, string> } };
    };

export type ComposeReply =
  | { id: number; ok: true; value: StackSpec | RequiredInputs | Record<string, string> }
  | { id: number; ok: false; error: { code: ErrorCode; message: string; field?: string | undefined; problems?: ComposeProblem[] } };

/** What a thread sends once it has loaded the renderer and listens for jobs. */
export const workerReady = 'ready';
