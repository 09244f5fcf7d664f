export { ShoalClient, type ShoalClientOptions } from './shoal-client.js';
export type * from './types.js';
export type * from './stack-types.js';
