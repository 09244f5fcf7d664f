import type { ServicePortsReadiness } from '../api/ingress-status.js';
import type { NodeAvailability, ServiceObject } from '../api/objects.js';
import type { ApiKeyView, CallerView, Role } from '../api/access-views.js';
import type { AuditEntry, AuditVerifyResult } from '../api/audit.js';
import type { ServiceSpec, ServiceSpecInput } from '../api/service-spec.js';

export type { AuditEntry, AuditVerifyResult } from '../api/audit.js';
export type { EnvironmentQuotas, UpdateQuotasRequest } from '../api/quotas.js';
export type {
  AccountView as Account,
  ApiKeyView as ApiKey,
  CallerView as Caller,
  EnvironmentView as Environment,
  MemberView as EnvironmentMember,
  MyAccountView as MyAccount,
  Role,
} from '../api/access-views.js';

/** A service as the API returns it: the stored object plus counts the manager computes. */
/** `replicas.completed`: one-shot tasks that ended with exit 0 and are not restarted (absent from older managers). */
export type ServiceView = ServiceObject & {
  replicas: { running: number; desired: number; completed?: number };
  /** For a service publishing ports in ingress mode: the nodes where they answer. */
  ports?: ServicePortsReadiness;
};

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
  /** The environment a worker token joins nodes to (worker tokens are per environment). */
  env?: string;
}

export interface LoginResponse {
  /** Shown once; send as `Authorization: Bearer`. */
  token: string;
  expiresAt: string;
  username: string;
  admin: boolean;
}

export interface WhoAmIResponse {
  actor: string;
  env: string;
  /** Absent on a manager that runs without authentication. */
  caller?: CallerView;
}

export interface CreateAccountRequest {
  username: string;
  password: string;
  admin?: boolean;
}

export interface ChangeOwnPasswordRequest {
  currentPassword: string;
  password: string;
}

/** The answer to a key creation: the only time the secret is ever sent. */
export interface CreatedApiKey extends ApiKeyView {
  secret: string;
}

export interface CreateApiKeyRequest {
  name: string;
  role: Role;
}

export interface RevokeApiKeyResponse {
  accessKey: string;
}

/** `PUT /v1/environments/:name/host-paths`: the whole list; `version` is the environment's as read. */
export interface SetHostPathsRequest {
  paths: string[];
  version?: number;
}

export interface CreateEnvironmentRequest {
  name: string;
  description?: string;
}

export interface AuditQuery {
  /** ISO times. */
  since?: string;
  until?: string;
  actor?: string;
  /** `KIND/ID-or-NAME` (service/web), or a bare id, name or kind. */
  object?: string;
  /** An action or a comma-separated list of them. */
  action?: string;
  limit?: number;
}

export interface AuditListResponse {
  /** Oldest first. */
  entries: AuditEntry[];
  /** More entries matched than `limit` let through (the oldest were left out). */
  more?: boolean;
}

export type AuditVerifyResponse = AuditVerifyResult;
