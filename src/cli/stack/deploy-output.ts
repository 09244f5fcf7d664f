import { ShoalError } from '../../api/errors.js';
import type { StackDeployResult } from '../../client/stack-types.js';
import { CliExit } from '../exit.js';
import type { CliIo } from '../io.js';

/** `stack shop: version 2 (created: cache; updated: web; unchanged: db)` and the warnings. */
export function printDeployResult(io: CliIo, r: StackDeployResult, verb = 'version'): void {
  const parts = (
    [
      ['created', r.created],
      ['updated', r.updated],
      ['unchanged', r.unchanged],
      ['removed', r.removed],
      ['kept', r.kept],
    ] as const
  )
    .filter(([, list]) => list.length > 0)
    .map(([what, list]) => `${what}: ${list.join(', ')}`);
  io.out(`stack ${r.stack}: ${verb} ${r.version}${parts.length > 0 ? ` (${parts.join('; ')})` : ''}\n`);
  for (const w of r.warnings) io.err(`warning: ${w}\n`);
}

/**
 * The manager lists every problem of invalid compose files one per line
 * (`compose.yaml:14: services.web.ports[0]: ...`); each gets its own line here too, where the
 * CLI's usual one-line error would run them together.
 */
export async function withComposeErrors<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ShoalError && err.code === 'invalid_argument' && err.message.includes('\n')) {
      for (const line of err.message.split('\n')) if (line.trim()) io.err(`shoal: ${line}\n`);
      throw new CliExit(1);
    }
    throw err;
  }
}
