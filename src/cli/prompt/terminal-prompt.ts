import { ShoalError } from '../../api/errors.js';
import { CliExit } from '../exit.js';

/**
 * Reads one line from the terminal. With `hidden` the typed characters are not echoed (raw
 * mode), as passwords must not appear on screen or in the scrollback.
 */
export function promptTerminal(question: string, opts: { hidden: boolean }, interrupt: AbortSignal): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  return new Promise<string>((resolve, reject) => {
    let line = '';
    const wasRaw = input.isRaw;
    const finish = (err: Error | undefined, value = ''): void => {
      input.off('data', onData);
      interrupt.removeEventListener('abort', onAbort);
      if (input.isTTY) input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onAbort = (): void => finish(new CliExit(130));
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(undefined, line);
        // Ctrl-C: raw mode swallows SIGINT, so handle it as the signal would.
        if (ch === '\u0003') return finish(new CliExit(130));
        // Ctrl-D on an empty line: no answer is coming.
        if (ch === '\u0004') {
          if (line === '') return finish(new ShoalError('invalid_argument', 'no input given'));
          continue;
        }
        if (ch === '\u007f' || ch === '\b') {
          line = [...line].slice(0, -1).join('');
          if (!opts.hidden) output.write('\b \b');
          continue;
        }
        line += ch;
        if (!opts.hidden) output.write(ch);
      }
    };
    output.write(question);
    interrupt.addEventListener('abort', onAbort, { once: true });
    if (input.isTTY) input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

/** All of standard input, as `--password-stdin` takes it. */
export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
