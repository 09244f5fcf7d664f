import { renderStack, requiredInputs } from '../../compose/index.js';
import type { StackCompose } from './stack-compose.js';

/** The compose renderer the manager serves stacks with (`src/compose`). */
export function composeRenderer(): StackCompose {
  return {
    render: (input) => renderStack(input).spec,
    requiredInputs: (files, envFile, options) => requiredInputs(files, envFile, options),
  };
}
