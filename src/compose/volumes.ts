/**
 * compose's short volume syntax: `/data` (anonymous volume), `name:/data[:opts]` (named
 * volume), `/host:/data[:opts]` (bind). A source starting with `.` or `~` is a path relative to
 * the client's directory, which the manager cannot see: those are refused where mapped.
 */
export interface ParsedVolume {
  type: 'bind' | 'volume';
  source?: string;
  target: string;
  options: string[];
}

export function parseVolumeShort(text: string): ParsedVolume | string {
  const parts = text.split(':');
  if (parts.some((p) => p === '')) return `"${text}" is not a volume: expected [SOURCE:]TARGET[:MODE]`;
  if (parts.length === 1) return { type: 'volume', target: parts[0] as string, options: [] };
  if (parts.length > 3) return `"${text}" is not a volume: expected [SOURCE:]TARGET[:MODE]`;
  const [source, target, mode] = parts as [string, string, string | undefined];
  const type = isPath(source) ? 'bind' : 'volume';
  return { type, source, target, options: mode ? mode.split(',') : [] };
}

export const isPath = (source: string): boolean => source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
export const isRelativePath = (source: string): boolean => source.startsWith('.') || source.startsWith('~');
