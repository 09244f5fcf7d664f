/** The one seeded generator of the tests (mulberry32): a fuzz run is replayed with the seed it printed. */
export { SeededRandom } from '../harness/seeded-random.js';

/** The seed of this run: SHOAL_FUZZ_SEED when set (to replay a failure), otherwise a new one. */
export function fuzzSeed(): number {
  const given = process.env.SHOAL_FUZZ_SEED;
  if (given !== undefined && /^\d+$/.test(given)) return Number(given);
  return Math.floor(Math.random() * 2 ** 31);
}
