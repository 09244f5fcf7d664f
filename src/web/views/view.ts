import type { ShoalEvent } from '../../api/events.js';
import type { ShoalClient } from '../../client/shoal-client.js';
import type { EventLog } from '../event-log.js';

/** What every view gets from the app. */
export interface ViewContext {
  client: ShoalClient;
  events: EventLog;
  /**
   * Runs a user action (scale, drain...): shows its error in the page, and reloads the view
   * after it succeeds. Resolves true on success.
   */
  act(what: string, action: () => Promise<unknown>): Promise<boolean>;
}

/** One page of the UI. The app mounts `element` and calls `refresh` when its data may be stale. */
export interface View {
  readonly title: string;
  readonly element: HTMLElement;
  /** Loads what the view shows and redraws it. API errors are thrown for the app to show. */
  refresh(): Promise<void>;
  /** True when this event may change what the view shows. */
  affectedBy(event: ShoalEvent): boolean;
}
