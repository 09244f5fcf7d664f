/** Columns padded to their widest cell and separated by three spaces, as docker prints them. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const lines = all.map((r) =>
    header
      .map((_, i) => {
        const cell = r[i] ?? '';
        return i === header.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length);
      })
      .join('   ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

/** Shortens text for a table cell unless --no-trunc was given. */
export function truncate(text: string, max: number, enabled = true): string {
  if (!enabled || [...text].length <= max) return text;
  return `${[...text].slice(0, max - 1).join('')}…`;
}

export const shortId = (id: string, trunc = true): string => (trunc ? id.slice(0, 12) : id);
