import { CommanderError } from 'commander';
import { ShoalError } from '../api/errors.js';
import { isAbortError } from '../client/http-errors.js';
import { connectionNote } from './connection.js';
import { CliExit } from './exit.js';
import type { CliIo } from './io.js';

/** Hints for codes whose message alone does not say what to do next. */
const hints: Partial<Record<ShoalError['code'], string>> = {
  unauthenticated: 'log in with `shoal login`, or set SHOAL_ACCESS_KEY and SHOAL_SECRET_KEY to an API key',
};

/**
 * The one place that turns any failure into the CLI's output: a single line `shoal: <message>`
 * on stderr, and the exit code (0 for --help and --version, 130 for Ctrl-C, else 1).
 */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0;
    // Help shown because a subcommand was missing has already been written in full.
    if (err.code === 'commander.help' || err.code === 'commander.helpDisplayed') return err.exitCode;
    io.err(`shoal: ${oneLine(err.message.replace(/^error: /, ''))}\n`);
    return 1;
  }
  if (err instanceof CliExit) {
    if (err.message) io.err(`${err.exitCode === 130 ? '\n' : ''}shoal: ${oneLine(err.message)}\n`);
    return err.exitCode;
  }
  if (isAbortError(err) && io.interrupt.aborted) return 130;
  if (err instanceof ShoalError) {
    // A context credential that was not sent explains a 401 better than the generic hint.
    const hint = (err.code === 'unauthenticated' ? connectionNote(io) : undefined) ?? hints[err.code];
    io.err(`shoal: ${oneLine(err.message)}${hint ? ` (${hint})` : ''}\n`);
    return 1;
  }
  io.err(`shoal: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
  return 1;
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();
