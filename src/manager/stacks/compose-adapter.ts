import type { StackSpec } from '../../api/stack-spec.js';
import type { ComposeWorkerPool } from './compose-worker-pool.js';
import type { RequiredInputs, StackCompose } from './stack-compose.js';

/** The compose renderer the manager serves stacks with (`src/compose`), run on the pool's threads. */
export function composeRenderer(pool: ComposeWorkerPool): StackCompose {
  return {
    render: (input) => pool.run<StackSpec>({ op: 'render', input }),
    dotenvValues: (input) => pool.run<Record<string, string>>({ op: 'dotenvValues', input }),
    requiredInputs: (files, envFile, options) => pool.run<RequiredInputs>({ op: 'requiredInputs', input: { files, envFile, options } }),
  };
}
