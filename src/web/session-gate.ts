import { ShoalError } from '../api/errors.js';
import { ShoalClient } from '../client/shoal-client.js';
import type { LoginResponse } from '../client/types.js';
import { App } from './app.js';
import { replaceChildren } from './dom.js';
import { errorMessage } from './format.js';
import { fetchReportingUnauthenticated } from './session-watch.js';
import { forgetSession, loadSession, saveSession, sessionExpired, type StoredSession } from './session-storage.js';
import { LoginView, type LoginNotice } from './views/login-view.js';

export interface SessionGateOptions {
  baseUrl: string;
  /** `?env=NAME` of the page address. */
  env?: string;
  /**
   * How often a logged-in page asks the manager whether its session still holds. The event
   * stream was authorized when it opened, so an idle page would otherwise notice an expired or
   * revoked session only at its next call.
   */
  sessionCheckMs?: number;
}

/**
 * Decides between the login view and the app, and owns the session in between: a manager that
 * answers `GET /v1/whoami` without credentials runs without authentication and gets the app
 * directly; otherwise the user logs in, the token is kept for this tab only
 * (`session-storage.ts`) and sent as `Authorization: Bearer` on every call, including the event
 * stream. Any 401 (expired, revoked, logged out elsewhere) ends the app and shows the login view
 * with the manager's reason.
 */
export class SessionGate {
  private app: App | undefined;
  private client: ShoalClient | undefined;
  private checkTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly opts: SessionGateOptions,
  ) {}

  async start(): Promise<void> {
    const saved = loadSession();
    if (saved && !sessionExpired(saved)) {
      this.enter(saved);
      return;
    }
    if (saved) {
      forgetSession();
      this.showLogin({ kind: 'error', text: 'Your session has expired. Log in again.' });
      return;
    }
    try {
      // Answered without a credential only by a manager that runs without authentication.
      const who = await this.anonymousClient().whoami();
      if (!who.caller) {
        this.startApp(this.anonymousClient());
        return;
      }
    } catch (err) {
      if (!(err instanceof ShoalError && err.code === 'unauthenticated')) {
        this.showLogin({ kind: 'error', text: errorMessage(err) });
        return;
      }
    }
    this.showLogin();
  }

  private enter(session: StoredSession): void {
    const client = new ShoalClient({
      baseUrl: this.opts.baseUrl,
      ...(this.opts.env ? { env: this.opts.env } : {}),
      sessionToken: session.token,
      fetch: fetchReportingUnauthenticated((message) => this.sessionEnded(client, message)),
    });
    this.startApp(client, { username: session.username, logout: () => void this.logout(client) });
    this.checkTimer = setInterval(() => {
      // A 401 is handled by the fetch above; anything else (manager restarting) is the stream's to show.
      client.whoami().catch(() => undefined);
    }, this.opts.sessionCheckMs ?? 30_000);
  }

  private startApp(client: ShoalClient, user?: { username: string; logout: () => void }): void {
    this.client = client;
    this.app = new App(this.root, client, user ? { user } : {});
    this.app.start();
  }

  private loggedIn(result: LoginResponse): void {
    const session = { token: result.token, username: result.username, expiresAt: result.expiresAt };
    saveSession(session);
    this.enter(session);
  }

  /** Idempotent: a burst of refused calls of one client ends the app once. */
  private sessionEnded(client: ShoalClient, message: string): void {
    if (this.client !== client) return;
    this.leaveApp();
    this.showLogin({ kind: 'error', text: `You have been logged out: ${message}` });
  }

  private async logout(client: ShoalClient): Promise<void> {
    if (this.client !== client) return;
    // Forget the token first: whatever the manager answers, this tab no longer holds it.
    this.leaveApp();
    const view = this.showLogin({ kind: 'info', text: 'Logging out…' });
    try {
      await client.logout();
      view.notify({ kind: 'info', text: 'You have logged out.' });
    } catch (err) {
      view.notify({ kind: 'error', text: `Logged out of this page, but the manager did not end the session: ${errorMessage(err)}` });
    }
  }

  private leaveApp(): void {
    forgetSession();
    if (this.checkTimer !== undefined) clearInterval(this.checkTimer);
    this.checkTimer = undefined;
    this.app?.stop();
    this.app = undefined;
    this.client = undefined;
  }

  private showLogin(notice?: LoginNotice): LoginView {
    const view = new LoginView({ client: this.anonymousClient(), ...(notice ? { notice } : {}), onLoggedIn: (result) => this.loggedIn(result) });
    document.title = 'Log in · Shoal';
    replaceChildren(this.root, view.element);
    view.focus();
    return view;
  }

  private anonymousClient(): ShoalClient {
    return new ShoalClient({ baseUrl: this.opts.baseUrl, ...(this.opts.env ? { env: this.opts.env } : {}) });
  }
}
