import type { NodeAvailability, ServiceObject } from '../api/objects.js';
import type { ServiceSpec, ServiceSpecInput } from '../api/service-spec.js';

/** A service as the API returns it: the stored object plus counts the manager computes. */
export type ServiceView = ServiceObject & { replicas: { running: number; desired: number } };

export interface InfoResponse {
  version: string;
  revision: number;
  nodes: number;
  services: number;
}

export interface HealthResponse {
  status: 'ok';
}

export interface CreateServiceRequest {
  name: string;
  spec: ServiceSpecInput;
}

export interface UpdateServiceRequest {
  /** The service version the spec was read at; a stale one is refused with a conflict. */
  version?: number;
  spec: ServiceSpec | ServiceSpecInput;
}

export interface ScaleServiceRequest {
  replicas: number;
}

export interface UpdateNodeRequest {
  version?: number;
  availability?: NodeAvailability;
  labelsAdd?: Record<string, string>;
  labelsRemove?: string[];
}

export interface RemoveServiceResponse {
  id: string;
}

export interface ListServicesQuery {
  name?: string;
}

export interface ListTasksQuery {
  /** Service id or name. */
  service?: string;
  /** Node id or hostname. */
  node?: string;
}

/** One line of service output as the logs stream delivers it. */
export interface LogLine {
  task: string;
  slot?: number;
  nodeId: string;
  stream: 'stdout' | 'stderr';
  time: string;
  text: string;
}

export interface LogsOptions {
  follow?: boolean;
  tail?: number;
  signal?: AbortSignal;
}

export type EventKind = 'service' | 'task' | 'node';

export interface EventsOptions {
  /** Replay from this store revision; without it the stream starts at the current one. */
  since?: number;
  /** An EventKind; typed as string so newer kinds need no client change. */
  kind?: string;
  signal?: AbortSignal;
}

export interface RemoveNodeResponse {
  id: string;
  hostname: string;
  /** Serial of the certificate revoked with the node, when it had one. */
  revokedSerial?: string;
}

export type JoinTokenRole = 'worker' | 'manager';

export interface JoinTokenResponse {
  role: JoinTokenRole;
  token: string;
}
