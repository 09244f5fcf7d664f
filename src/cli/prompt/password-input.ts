import { randomBytes } from 'node:crypto';
import { ShoalError } from '../../api/errors.js';
import type { CliIo } from '../io.js';

/** 24 characters of base64url: 144 random bits, far beyond the 12-character minimum. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The lines `--password-stdin` was given, without line ends; `count` of them are required
 * (one for a password, two for "current, then new").
 */
export async function readStdinLines(io: CliIo, count: number): Promise<string[]> {
  if (!io.readStdin) throw new ShoalError('invalid_argument', '--password-stdin: this shell gives no standard input', '--password-stdin');
  const text = await io.readStdin();
  const lines = text.split(/\r?\n/);
  // One trailing newline (as `echo` adds) ends the input; it does not start another line.
  if (lines.length > count && lines[lines.length - 1] === '') lines.pop();
  const wanted = lines.slice(0, count);
  if (wanted.length < count || wanted.some((l) => l === '')) {
    const what = count === 1 ? 'a password' : `${count} lines (the current password, then the new one)`;
    throw new ShoalError('invalid_argument', `--password-stdin: standard input must hold ${what}`, '--password-stdin');
  }
  return wanted;
}

/** Asks on the terminal without echo; on anything but a terminal, points at --password-stdin. */
export async function askHidden(io: CliIo, question: string): Promise<string> {
  if (!io.stdinIsTTY || !io.prompt) {
    throw new ShoalError('invalid_argument', 'standard input is not a terminal: give the password with --password-stdin', '--password-stdin');
  }
  const answer = await io.prompt(question, { hidden: true });
  if (answer === '') throw new ShoalError('invalid_argument', 'no password given', 'password');
  return answer;
}

/** A new password typed twice, so a typo does not lock the account out. */
export async function askNewPassword(io: CliIo, question = 'New password: '): Promise<string> {
  const first = await askHidden(io, question);
  const again = await askHidden(io, 'Repeat it: ');
  if (first !== again) throw new ShoalError('invalid_argument', 'the two passwords differ; nothing was changed', 'password');
  return first;
}

/** Asks for a visible answer (a username); on anything but a terminal the flag is required. */
export async function askVisible(io: CliIo, question: string, flag: string): Promise<string> {
  if (!io.stdinIsTTY || !io.prompt) throw new ShoalError('invalid_argument', `${flag} is required when standard input is not a terminal`, flag);
  const answer = (await io.prompt(question, { hidden: false })).trim();
  if (answer === '') throw new ShoalError('invalid_argument', `no ${flag.replace(/^--/, '')} given`, flag);
  return answer;
}
