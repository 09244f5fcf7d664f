/** The kinds of object events are about (`GET /v1/events?kind=`). */
export const eventKinds = ['service', 'task', 'node'] as const;

/** A record of one change, as the event stream delivers it. */
export interface ShoalEvent {
  revision: number;
  time: string;
  env: string;
  actor: string;
  /** e.g. service.create, service.update, task.state, node.update */
  action: string;
  kind: string;
  objectId: string;
  name?: string;
  /** For task.state: the states before and after, the slot and node. */
  attributes: Record<string, string | number | undefined>;
}
