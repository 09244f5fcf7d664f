/** Markdown tables with padded columns, so they read well in a terminal and paste into docs. */
export type Cell = string | number | undefined;

export function formatTable(headers: string[], rows: Cell[][], align: ('l' | 'r')[] = []): string {
  const text = rows.map((r) => headers.map((_, i) => cellText(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, 3, ...text.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number): string => ((align[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? s.padEnd(widths[i] ?? 0) : s.padStart(widths[i] ?? 0));
  const line = (cells: string[]): string => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => ((align[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...text.map(line)].join('\n');
}

export function printTable(title: string, headers: string[], rows: Cell[][], align?: ('l' | 'r')[]): void {
  console.log(`\n### ${title}\n`);
  console.log(formatTable(headers, rows, align));
}

function cellText(c: Cell): string {
  if (c === undefined) return '-';
  return typeof c === 'number' ? String(c) : c;
}

/** Seconds with 2 decimals. */
export const sec = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) ? '-' : (ms / 1000).toFixed(2));
/** Milliseconds with 1 decimal. */
export const msText = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) ? '-' : ms.toFixed(1));
export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
