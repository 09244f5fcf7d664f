import type { UpdateStatus } from '../../api/objects.js';
import { h } from '../dom.js';
import { ago } from '../format.js';
import { badge } from './badge.js';

/** A service's rolling update or rollback: state, message, and when. */
export function updateStatus(status: UpdateStatus | undefined): HTMLElement | string {
  if (!status) return '—';
  return h(
    'span',
    { class: 'update-status' },
    badge(status.state),
    status.message ? h('div', { class: 'secondary' }, status.message) : null,
    h('div', { class: 'secondary', attrs: { title: status.completedAt ?? status.startedAt } }, ago(status.completedAt ?? status.startedAt)),
  );
}
