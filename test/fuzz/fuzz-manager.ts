import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A manager in a process of its own (`fuzz-manager-process.ts`), with its admin's credential and its event-loop figures over IPC. */
export interface FuzzManager {
  child: ChildProcess;
  url: string;
  authorization: string;
  ask<T>(message: string, key: string): Promise<T>;
}

export async function startFuzzManager(dataDir: string): Promise<FuzzManager> {
  const child = fork(join(here, 'fuzz-manager-process.ts'), [dataDir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: string, key: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        if (m && typeof m === 'object' && key in m) {
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve((m as Record<string, T>)[key] as T);
        }
      };
      const onExit = (code: number | null): void => reject(new Error(`the manager exited (code ${String(code)})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (message) child.send(message);
    });
  const ready = await ask<{ url: string; accessKey: string; secret: string }>('', 'ready');
  return { child, url: ready.url, authorization: `Basic ${Buffer.from(`${ready.accessKey}:${ready.secret}`).toString('base64')}`, ask };
}

/** Stops the manager process (killed when it does not stop within 10 s). */
export async function stopFuzzManager(m: FuzzManager): Promise<void> {
  if (m.child.exitCode !== null) return;
  const exited = new Promise((resolve) => m.child.once('exit', resolve));
  m.child.send('stop');
  const timer = setTimeout(() => m.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
