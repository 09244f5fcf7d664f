import { processIo } from './io.js';
import { run } from './program.js';

// The first Ctrl-C (or SIGTERM) asks the running command to stop; a second one does not wait.
const interrupt = new AbortController();
const onSignal = (): void => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await run(process.argv, processIo(interrupt.signal));
// Explicit exit: an idle keep-alive connection must not hold the prompt back.
process.exit(code);
