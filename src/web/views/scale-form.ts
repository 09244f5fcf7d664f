import { h } from '../dom.js';
import type { ViewContext } from './view.js';

/**
 * Number input + Scale button for one service. The view keeps one instance per service across
 * redraws, so a live refresh never wipes what the user is typing.
 */
export class ScaleForm {
  readonly element: HTMLFormElement;
  private readonly input: HTMLInputElement;
  private readonly button: HTMLButtonElement;
  private dirty = false;

  constructor(
    private readonly ctx: ViewContext,
    private readonly service: { id: string; name: string },
    desired: number,
  ) {
    this.input = h('input', {
      class: 'scale-input',
      attrs: { type: 'number', min: '0', step: '1', required: '', 'aria-label': `Replicas of ${service.name}`, value: String(desired) },
      on: { input: () => (this.dirty = true) },
    });
    this.button = h('button', { attrs: { type: 'submit' } }, 'Scale');
    this.element = h('form', { class: 'scale-form', on: { submit: (e) => this.submit(e) } }, this.input, this.button);
  }

  /** Shows the service's desired count unless the user is editing the field. */
  update(desired: number): void {
    if (!this.dirty && document.activeElement !== this.input) this.input.value = String(desired);
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    const replicas = Number(this.input.value);
    if (this.input.value.trim() === '' || !Number.isInteger(replicas) || replicas < 0) {
      void this.ctx.act(`Scale ${this.service.name}`, () => Promise.reject(new Error('replicas must be a whole number, 0 or more')));
      return;
    }
    this.button.disabled = true;
    void this.ctx
      .act(`Scale ${this.service.name} to ${replicas}`, () => this.ctx.client.scaleService(this.service.id, replicas))
      .then((ok) => {
        if (ok) this.dirty = false;
      })
      .finally(() => (this.button.disabled = false));
  }
}
