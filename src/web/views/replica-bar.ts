import { h } from '../dom.js';

/** "running/desired" with a small bar; full and green when every replica runs. */
export function replicaBar(running: number, desired: number): HTMLElement {
  const ratio = desired > 0 ? Math.min(1, running / desired) : running > 0 ? 1 : 0;
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${Math.round(ratio * 100)}%`;
  const complete = running === desired;
  return h(
    'span',
    { class: `replicas ${complete ? 'complete' : 'partial'}`, attrs: { title: `${running} running of ${desired} desired` } },
    h('span', { class: 'bar', attrs: { 'aria-hidden': 'true' } }, fill),
    h('span', { class: 'replica-count' }, `${running}/${desired}`),
  );
}
