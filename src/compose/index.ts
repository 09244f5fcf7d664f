/**
 * The compose renderer: compose files + variables → the StackSpec Shoal deploys. Pure (no file
 * system, no process environment): the caller passes everything in. See docs/COMPOSE.md.
 */
export { renderStack, type RenderStackInput } from './render-stack.js';
export { requiredInputs, type RequiredInputs } from './required-inputs.js';
export { ComposeError, type ComposeProblem } from './compose-error.js';
export { normalizePath } from './service-environment.js';
