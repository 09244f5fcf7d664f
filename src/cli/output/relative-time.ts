/**
 * "5 seconds ago", "About a minute ago", "3 hours ago": docker's wording (go-units
 * HumanDuration), so that `ps` output reads the same.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.round(Math.max(0, ms) / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.round(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.round(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.round(hours / 24 / 30)} months`;
  return `${Math.round(hours / 24 / 365)} years`;
}

export function ago(isoTime: string | undefined, now: number): string {
  const t = isoTime ? Date.parse(isoTime) : NaN;
  if (Number.isNaN(t)) return '';
  return `${humanDuration(now - t)} ago`;
}

export const capitalize = (s: string): string => (s ? s[0]?.toUpperCase() + s.slice(1) : s);
