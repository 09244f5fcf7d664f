import { h, replaceChildren } from './dom.js';
import { errorMessage } from './format.js';

/**
 * Readable API errors at the top of the page. Each source ("load", "action") has at most one
 * message; a later success of the same source clears it, and the user can dismiss it.
 */
export class ErrorBanner {
  readonly element = h('div', { class: 'errors', attrs: { role: 'alert', 'aria-live': 'assertive' } });
  private readonly messages = new Map<string, string>();

  show(source: string, err: unknown, context?: string): void {
    const text = errorMessage(err);
    this.messages.set(source, context ? `${context}: ${text}` : text);
    this.render();
  }

  clear(source: string): void {
    if (this.messages.delete(source)) this.render();
  }

  private render(): void {
    replaceChildren(
      this.element,
      ...[...this.messages].map(([source, text]) =>
        h(
          'div',
          { class: 'error', attrs: { 'data-source': source } },
          h('span', { class: 'error-text' }, text),
          h('button', { class: 'link', attrs: { type: 'button', 'aria-label': 'Dismiss' }, on: { click: () => this.clear(source) } }, '×'),
        ),
      ),
    );
  }
}
