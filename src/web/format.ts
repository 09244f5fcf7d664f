/** Small display helpers; every one returns plain text. */

export function cpus(nanoCpus: number): string {
  if (!nanoCpus) return '—';
  const n = nanoCpus / 1e9;
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

export function bytes(n: number): string {
  if (!n) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function durationMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
  return `${Math.round(s / 60)} min`;
}

/** "12s ago", "5 min ago", or the date for anything older than a day. */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString();
}

export function clock(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleTimeString([], { hour12: false });
}

export const shortId = (id: string | undefined, length = 12): string => (id ? id.slice(0, length) : '');

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const field = (err as { field?: unknown }).field;
    const where = typeof field === 'string' && !err.message.startsWith(field) ? ` (${field})` : '';
    return typeof code === 'string' ? `${err.message}${where} [${code}]` : err.message;
  }
  return String(err);
}
