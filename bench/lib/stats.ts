export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) return { median: NaN, min: NaN, max: NaN, samples };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, samples };
}

/** "median (min-max)" in seconds. */
export function spreadText(s: Summary): string {
  if (s.samples.length === 0) return '-';
  return `${(s.median / 1000).toFixed(2)} (${(s.min / 1000).toFixed(2)}-${(s.max / 1000).toFixed(2)})`;
}
