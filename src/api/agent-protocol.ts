import type { IngressPortError, IngressPortStatus } from './ingress-status.js';
import type { NodeNetworkPlan } from './networks.js';
import type { NodeResources, TaskObject, TaskStatus } from './objects.js';

/**
 * Messages on the agent session (a WebSocket at /v1/agent/session on the manager's agent port,
 * over mutual TLS; JSON text frames). The node id and role come from the client certificate,
 * so no message carries a credential. The local agent of `shoal up` and remote agents speak
 * the same protocol.
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
      hostname: string;
      resources: NodeResources;
      engine: EngineDescription;
      /** Every task the agent runs or knows of, so the manager can resynchronise. */
      tasks: TaskStatusUpdate[];
      /** The agent wires its containers to Shoal's networks and wants `network` plans. */
      networking?: boolean;
    }
  | { type: 'heartbeat' }
  | { type: 'status'; updates: TaskStatusUpdate[] }
  /** After each network plan the agent applied: the ports its ingress proxy has bound, and those it could not. */
  | { type: 'ingress'; ports: IngressPortStatus[]; errors: IngressPortError[] }
  | { type: 'logs.chunk'; requestId: string; lines: LogLine[] }
  | { type: 'logs.end'; requestId: string; error?: string };

export type ManagerMessage =
  | { type: 'welcome'; nodeId: string; heartbeatPeriodMs: number }
  /**
   * `full`: `tasks` is every task assigned to the node (the agent removes containers of tasks
   * not in it). Otherwise `tasks` are new or changed tasks and `removed` ids of tasks gone.
   * `hostPaths`: the allowed host paths of the node's environment as they are now; binds under
   * them must resolve inside them on the node (agent/worker/bind-confinement.ts).
   */
  | { type: 'assignments'; full: boolean; tasks: TaskObject[]; removed: string[]; files?: TaskFilePayload[]; hostPaths?: string[] }
  /** The node's networks, overlay peers, names and ingress rules: sent whole whenever they change. */
  | { type: 'network'; plan: NodeNetworkPlan }
  | { type: 'logs.request'; requestId: string; taskId: string; follow: boolean; tail?: number }
  | { type: 'logs.cancel'; requestId: string }
  | { type: 'error'; code: string; message: string };

/**
 * The content of a secret or config version that tasks of the assignment reference, sent only
 * to the nodes whose tasks use it (over the session's mutual TLS). A task's reference
 * (`spec.secrets[i]` / `spec.configs[i]`) is matched by kind, `source` name and the `version`
 * the manager pinned in `TaskObject.fileVersions`.
 */
export interface TaskFilePayload {
  kind: 'secret' | 'config';
  name: string;
  version: number;
  /** base64 of the bytes. */
  data: string;
}

/** HTTPS routes of the agent port besides the session. */
export const agentPortPaths = { join: '/v1/join', renew: '/v1/node/certificate', session: '/v1/agent/session' } as const;

/** `POST /v1/join`, without a client certificate. The key behind `csr` never leaves the node. */
export interface JoinRequest {
  token: string;
  /** PEM PKCS#10 request, ECDSA P-256; only its key is used. */
  csr: string;
  hostname?: string;
}

/** `POST /v1/node/certificate`, with the node's current client certificate. */
export interface RenewRequest {
  csr: string;
}

/** The answer to both: the certificate's subject is CN=<nodeId>, OU=<role>. */
export interface CertificateResponse {
  nodeId: string;
  role: 'worker' | 'manager';
  certificate: string;
  caCertificate: string;
}
