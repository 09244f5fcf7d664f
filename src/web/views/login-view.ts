import type { ShoalClient } from '../../client/shoal-client.js';
import type { LoginResponse } from '../../client/types.js';
import { h, replaceChildren } from '../dom.js';
import { errorMessage } from '../format.js';

export interface LoginNotice {
  text: string;
  /** `error` for a refusal or an ended session, `info` for a plain logout. */
  kind: 'info' | 'error';
}

export interface LoginViewOptions {
  /** A client without credentials: login is the one call that needs none. */
  client: ShoalClient;
  notice?: LoginNotice;
  onLoggedIn: (result: LoginResponse) => void;
}

/**
 * Username and password form. A refusal (wrong password, throttled) shows the manager's own
 * message and keeps the username, so the user can correct the password and try again.
 */
export class LoginView {
  readonly element: HTMLElement;
  private readonly username: HTMLInputElement;
  private readonly password: HTMLInputElement;
  private readonly button: HTMLButtonElement;
  private readonly message: HTMLElement;

  constructor(private readonly opts: LoginViewOptions) {
    this.username = h('input', { attrs: { id: 'login-username', name: 'username', type: 'text', autocomplete: 'username', required: '', autocapitalize: 'none', spellcheck: 'false' } });
    this.password = h('input', { attrs: { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: '' } });
    this.button = h('button', { class: 'primary-button', attrs: { type: 'submit' } }, 'Log in');
    this.message = h('div', { class: 'login-message', attrs: { role: 'alert', 'aria-live': 'assertive' } });
    if (opts.notice) this.notify(opts.notice);
    const form = h(
      'form',
      { class: 'login-form panel', attrs: { 'aria-label': 'Log in to Shoal' }, on: { submit: (e) => this.submit(e) } },
      h('h1', {}, 'Log in'),
      this.message,
      h('label', { attrs: { for: 'login-username' } }, 'Username'),
      this.username,
      h('label', { attrs: { for: 'login-password' } }, 'Password'),
      this.password,
      this.button,
    );
    this.element = h(
      'div',
      { class: 'login-page' },
      h('div', { class: 'brand login-brand' }, h('span', { class: 'logo', attrs: { 'aria-hidden': 'true' } }), 'Shoal'),
      form,
    );
  }

  focus(): void {
    (this.username.value ? this.password : this.username).focus();
  }

  /** Replaces the message above the form (or clears it). */
  notify(notice: LoginNotice | undefined): void {
    this.message.className = notice ? `login-message ${notice.kind}` : 'login-message';
    replaceChildren(this.message, notice?.text);
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    const username = this.username.value.trim();
    const password = this.password.value;
    if (!username || !password) {
      this.notify({ kind: 'error', text: `${username ? 'password' : 'username'} is required` });
      return;
    }
    this.button.disabled = true;
    this.notify(undefined);
    this.opts.client.login(username, password).then(
      (result) => {
        this.password.value = '';
        this.opts.onLoggedIn(result);
      },
      (err: unknown) => {
        this.button.disabled = false;
        this.password.value = '';
        this.notify({ kind: 'error', text: errorMessage(err) });
        this.password.focus();
      },
    );
  }
}
