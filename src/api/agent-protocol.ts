import type { NodeResources, TaskObject, TaskStatus } from './objects.js';

/**
 * Messages on the agent session (a WebSocket at /v1/agent/session; JSON text frames).
 * The local agent of `shoal up` and remote agents speak the same protocol.
 */

export interface EngineDescription {
  version: string;
  os: string;
  arch: string;
}

/** What the agent observed of one task: only forward moves of `state` are applied. */
export interface TaskStatusUpdate {
  taskId: string;
  status: Omit<TaskStatus, 'pendingReason' | 'runningSince'>;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  time: string;
  text: string;
}

export type AgentMessage =
  | {
      type: 'hello';
      /** Join token; needed when the agent has no node id yet or the manager asks for it. */
      token: string;
      /** The id this agent was given before (kept in its data dir); absent on first join. */
      nodeId?: string;
      hostname: string;
      resources: NodeResources;
      engine: EngineDescription;
      /** Every task the agent runs or knows of, so the manager can resynchronise. */
      tasks: TaskStatusUpdate[];
    }
  | { type: 'heartbeat' }
  | { type: 'status'; updates: TaskStatusUpdate[] }
  | { type: 'logs.chunk'; requestId: string; lines: LogLine[] }
  | { type: 'logs.end'; requestId: string; error?: string };

export type ManagerMessage =
  | { type: 'welcome'; nodeId: string; heartbeatPeriodMs: number }
  /**
   * `full`: `tasks` is every task assigned to the node (the agent removes containers of tasks
   * not in it). Otherwise `tasks` are new or changed tasks and `removed` ids of tasks gone.
   */
  | { type: 'assignments'; full: boolean; tasks: TaskObject[]; removed: string[] }
  | { type: 'logs.request'; requestId: string; taskId: string; follow: boolean; tail?: number }
  | { type: 'logs.cancel'; requestId: string }
  | { type: 'error'; code: string; message: string };
