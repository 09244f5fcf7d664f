import { parentPort } from 'node:worker_threads';
import { workerReady, type ComposeJob } from './compose-worker-protocol.js';

/**
 * A stand-in for compose-worker.ts that misbehaves on request, for the pool's tests: the first
 * file's content says how (`spin` forever, `hog` memory, `crash`), anything else is echoed.
 */
parentPort?.on('message', (job: ComposeJob) => {
  const how = job.op === 'render' ? job.input.files[0]?.content : '';
  if (how === 'spin') for (;;);
  if (how === 'hog') {
    const kept: number[][] = [];
    for (;;) kept.push(new Array<number>(1_000_000).fill(1));
  }
  if (how === 'crash') throw new Error('crashed on purpose');
  parentPort?.postMessage({ id: job.id, ok: true, value: { echo: how } });
});
parentPort?.postMessage(workerReady);
