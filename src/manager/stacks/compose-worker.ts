import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ShoalError } from '../../api/errors.js';
import { ComposeError, renderStack, requiredInputs } from '../../compose/index.js';
import { parseDotenv } from '../../compose/dotenv.js';
import { workerReady, type ComposeJob, type ComposeReply } from './compose-worker-protocol.js';
import type { RenderInput } from './stack-compose.js';

/** The values the `.env` file gives its variables (a bare `KEY` line takes the sent variable). */
function dotenvValues(input: RenderInput): Record<string, string> {
  if (!input.envFile) return {};
  const entries = parseDotenv(input.envFile.content, (name) => input.variables[name]).entries;
  return Object.fromEntries(entries.flatMap((e) => (e.value !== undefined ? [[e.key, e.value]] : [])));
}

/**
 * The compose renderer's thread (see compose-worker-pool.ts): runs one job at a time and
 * answers with the result or the refusal, so a file that costs the renderer seconds costs the
 * manager's event loop nothing.
 */
function run(job: ComposeJob): ComposeReply {
  try {
    if (job.op === 'render') return { id: job.id, ok: true, value: renderStack(job.input).spec };
    if (job.op === 'dotenvValues') return { id: job.id, ok: true, value: dotenvValues(job.input) };
    const { files, envFile, options } = job.input;
    return { id: job.id, ok: true, value: requiredInputs(files, envFile, options) };
  } catch (e) {
    if (e instanceof ComposeError) return { id: job.id, ok: false, error: { code: e.code, message: e.message, field: e.field, problems: [...e.problems] } };
    if (e instanceof ShoalError) return { id: job.id, ok: false, error: { code: e.code, message: e.message, field: e.field } };
    // Not a refusal: a defect of the renderer, reported as such (the pool logs it).
    return { id: job.id, ok: false, error: { code: 'internal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } };
  }
}

/**
 * Renders yield the CPU to the manager's event loop (the API, heartbeats): on Linux a thread has
 * a nice value of its own, and /proc/thread-self names this thread's id. Elsewhere the thread
 * keeps the process's priority.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not allowed: the time limit still bounds a render.
  }
}

lowerPriority();
parentPort?.on('message', (job: ComposeJob) => parentPort?.postMessage(run(job)));
parentPort?.postMessage(workerReady);
