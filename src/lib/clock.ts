/** Time passed in explicitly so that reconcile code stays pure and testable. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
export const iso = (ms: number): string => new Date(ms).toISOString();
export const ms = (isoTime: string | undefined): number => (isoTime ? Date.parse(isoTime) : 0);
