import type { Command } from 'commander';
import { flagError } from '../flag-error.js';
import type { CliIo } from '../io.js';

export type OutputFormat = 'table' | 'json';

export function withFormatOption(cmd: Command, defaultFormat: OutputFormat = 'table'): Command {
  return cmd.option('--format <format>', `output format: table or json (default: ${defaultFormat})`);
}

export function outputFormat(value: unknown, defaultFormat: OutputFormat = 'table'): OutputFormat {
  if (value === undefined) return defaultFormat;
  if (value === 'json' || value === 'table') return value;
  throw flagError('--format', typeof value === 'string' ? value : JSON.stringify(value), 'must be "table" or "json"');
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
