import { h } from '../dom.js';

const tones: Record<string, string> = {
  ready: 'ok',
  active: 'ok',
  running: 'ok',
  complete: 'ok',
  completed: 'ok',
  rollback_completed: 'ok',
  down: 'bad',
  disconnected: 'bad',
  failed: 'bad',
  rejected: 'bad',
  orphaned: 'bad',
  paused: 'bad',
  rollback_paused: 'bad',
  drain: 'warn',
  pause: 'warn',
  pending: 'warn',
  updating: 'info',
  rollback_started: 'warn',
  assigned: 'info',
  accepted: 'info',
  preparing: 'info',
  starting: 'info',
};

/** A coloured label for a state; the colour only repeats what the text says. */
export function badge(text: string, extraClass = ''): HTMLSpanElement {
  return h('span', { class: `badge ${tones[text] ?? 'muted'} ${extraClass}`.trim() }, text.replace(/_/g, ' '));
}
