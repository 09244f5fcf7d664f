import { h } from '../dom.js';

/** Labels as k=v chips, sorted by key. */
export function labels(map: Record<string, string>): HTMLElement | string {
  const entries = Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return '—';
  return h('span', { class: 'chips' }, ...entries.map(([k, v]) => h('span', { class: 'chip' }, v ? `${k}=${v}` : k)));
}
