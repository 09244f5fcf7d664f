/**
 * Bounds on the work one render may do, so a small hostile file (an "alias bomb", deeply nested
 * templates) is refused with a message naming the limit instead of freezing or exhausting the
 * process that renders it. Far above what hand-written compose files use.
 */
export const composeLimits = {
  /** `*alias` references in one file. */
  aliases: 1000,
  /** Nodes of one file's tree once aliases and merge keys are expanded. */
  nodes: 100_000,
  /** Nesting of mappings and lists (aliases expanded). */
  depth: 64,
  /** Characters of all the string values of one render, aliases and interpolation expanded. */
  expandedChars: 8 * 1024 * 1024,
  /** `${A:-${B:-...}}` nesting in one value. */
  interpolationDepth: 32,
  /** Problems listed in one refusal (the rest are counted). */
  problems: 200,
} as const;
