import { ShoalError } from '../api/errors.js';
import type { ShoalEvent } from '../api/events.js';
import type { NodeObject, TaskObject } from '../api/objects.js';
import type { CreateNetworkRequest, NetworkView, DnsLookupResult } from '../api/networks.js';
import type { UpdateQuotasRequest } from '../api/quotas.js';
import type { FileView } from '../api/secrets.js';
import { errorFromBody, errorFromResponse, isAbortError, unreachable } from './http-errors.js';
import { readNdjson } from './ndjson.js';
import { readSse } from './sse.js';
import type { DeployStackRequest, RemoveStackResponse, StackDeployResult, StackInspect, StackSummary } from './stack-types.js';
import type {
  Account,
  ApiKey,
  AuditListResponse,
  AuditQuery,
  AuditVerifyResponse,
  ChangeOwnPasswordRequest,
  CreateAccountRequest,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreateEnvironmentRequest,
  SetHostPathsRequest,
  CreateServiceRequest,
  Environment,
  EnvironmentMember,
  LoginResponse,
  MyAccount,
  RevokeApiKeyResponse,
  Role,
  WhoAmIResponse,
  EventsOptions,
  HealthResponse,
  InfoResponse,
  ListServicesQuery,
  ListTasksQuery,
  LogLine,
  LogsOptions,
  JoinTokenResponse,
  JoinTokenRole,
  RemoveNodeResponse,
  RemoveServiceResponse,
  ServiceView,
  UpdateNodeRequest,
  UpdateServiceRequest,
} from './types.js';

/** `POST /v1/secrets` and `/v1/configs`. */
export interface CreateFileRequest {
  name: string;
  /** base64 of the content. */
  data: string;
  labels?: Record<string, string>;
}

export interface ShoalClientOptions {
  /** e.g. http://127.0.0.1:7420 */
  baseUrl: string;
  /** Environment every /v1 call acts in; the manager uses "default" without it. */
  env?: string;
  /** API key sent as HTTP basic credentials. */
  apiKey?: { accessKey: string; secret: string };
  /** A session token from `login()`, sent as `Authorization: Bearer`; ignored when apiKey is set. */
  sessionToken?: string;
  /** Aborts every request of this client at once (the CLI ties Ctrl-C to it). */
  signal?: AbortSignal;
  /** Non-streaming requests give up after this long. Default 30 s. */
  timeoutMs?: number;
  /** For tests and custom transports. */
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined>;

/** Typed access to the Shoal REST API. Every failure is a ShoalError with the manager's code. */
export class ShoalClient {
  readonly baseUrl: string;
  readonly env: string | undefined;
  private readonly headers: Record<string, string>;
  private readonly signal: AbortSignal | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: ShoalClientOptions) {
    this.baseUrl = normalizeBaseUrl(opts.baseUrl);
    this.env = opts.env;
    this.signal = opts.signal;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    // Bound: browsers refuse a fetch called with `this` set to another object ("Illegal invocation").
    this.fetchImpl = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.headers = { accept: 'application/json' };
    if (opts.apiKey) {
      const token = base64(`${opts.apiKey.accessKey}:${opts.apiKey.secret}`);
      this.headers.authorization = `Basic ${token}`;
    } else if (opts.sessionToken) {
      this.headers.authorization = `Bearer ${opts.sessionToken}`;
    }
  }

  health(): Promise<HealthResponse> {
    return this.request('GET', '/healthz', { scoped: false });
  }

  info(): Promise<InfoResponse> {
    return this.request('GET', '/v1/info');
  }

  listNodes(): Promise<NodeObject[]> {
    return this.request('GET', '/v1/nodes');
  }

  getNode(ref: string): Promise<NodeObject> {
    return this.request('GET', `/v1/nodes/${seg(ref)}`);
  }

  updateNode(ref: string, body: UpdateNodeRequest): Promise<NodeObject> {
    return this.request('PATCH', `/v1/nodes/${seg(ref)}`, { body });
  }

  /** Removes a node and revokes its certificate; a ready node needs `force`. */
  removeNode(ref: string, opts: { force?: boolean } = {}): Promise<RemoveNodeResponse> {
    return this.request('DELETE', `/v1/nodes/${seg(ref)}`, { query: { force: opts.force ? true : undefined } });
  }

  showJoinToken(role: JoinTokenRole): Promise<JoinTokenResponse> {
    return this.request('GET', `/v1/cluster/tokens/${seg(role)}`);
  }

  rotateJoinToken(role: JoinTokenRole): Promise<JoinTokenResponse> {
    return this.request('POST', `/v1/cluster/tokens/${seg(role)}/rotate`, { body: {} });
  }

  listServices(query: ListServicesQuery = {}): Promise<ServiceView[]> {
    return this.request('GET', '/v1/services', { query: { name: query.name } });
  }

  createService(body: CreateServiceRequest): Promise<ServiceView> {
    return this.request('POST', '/v1/services', { body });
  }

  getService(ref: string): Promise<ServiceView> {
    return this.request('GET', `/v1/services/${seg(ref)}`);
  }

  updateService(ref: string, body: UpdateServiceRequest): Promise<ServiceView> {
    return this.request('POST', `/v1/services/${seg(ref)}/update`, { body });
  }

  scaleService(ref: string, replicas: number): Promise<ServiceView> {
    return this.request('POST', `/v1/services/${seg(ref)}/scale`, { body: { replicas } });
  }

  rollbackService(ref: string): Promise<ServiceView> {
    return this.request('POST', `/v1/services/${seg(ref)}/rollback`, { body: {} });
  }

  /** In-service upgrade: the old containers are kept until confirmServiceUpgrade or rollbackServiceUpgrade. */
  upgradeService(ref: string, body: UpdateServiceRequest): Promise<ServiceView> {
    return this.request('POST', `/v1/services/${seg(ref)}/upgrade`, { body });
  }

  confirmServiceUpgrade(ref: string): Promise<ServiceView> {
    return this.request('POST', `/v1/services/${seg(ref)}/upgrade/confirm`, { body: {} });
  }

  rollbackServiceUpgrade(ref: string): Promise<ServiceView> {
    return this.request('POST', `/v1/services/${seg(ref)}/upgrade/rollback`, { body: {} });
  }

  removeService(ref: string): Promise<RemoveServiceResponse> {
    return this.request('DELETE', `/v1/services/${seg(ref)}`);
  }

  listTasks(query: ListTasksQuery = {}): Promise<TaskObject[]> {
    return this.request('GET', '/v1/tasks', { query: { service: query.service, node: query.node } });
  }

  /** Service output, one line at a time; with `follow` it runs until the signal aborts. */
  async *logs(serviceRef: string, opts: LogsOptions = {}): AsyncGenerator<LogLine> {
    const query = { follow: opts.follow ?? false, tail: opts.tail };
    const res = await this.openStream(`/v1/services/${seg(serviceRef)}/logs`, query, 'application/x-ndjson', opts.signal);
    try {
      for await (const value of readNdjson(res)) {
        // The manager reports a failure that happens mid-stream as an error line.
        const err = errorFromBody(value);
        if (err) throw err;
        yield value as LogLine;
      }
    } catch (err) {
      if (this.aborted(opts.signal)) return;
      throw this.streamBroken('log', err);
    }
  }

  /** The event stream from `since` (or from now), until the signal aborts or the manager closes it. */
  async *events(opts: EventsOptions = {}): AsyncGenerator<ShoalEvent> {
    const res = await this.openStream('/v1/events', { since: opts.since, kind: opts.kind }, 'text/event-stream', opts.signal);
    try {
      for await (const message of readSse(res)) {
        // The manager ends a stream it cannot keep up (`dropped`: the reader fell too far behind) with its reason.
        if (message.event === 'dropped') throw new ShoalError('resource_exhausted', `the manager closed the event stream: ${(JSON.parse(message.data) as { reason?: string }).reason ?? 'no reason given'}`);
        if (message.event === 'error') throw errorFromBody({ error: JSON.parse(message.data) as unknown }) ?? new ShoalError('unavailable', message.data);
        if (message.event !== 'shoal' && message.event !== 'message') continue;
        yield JSON.parse(message.data) as ShoalEvent;
      }
    } catch (err) {
      if (this.aborted(opts.signal)) return;
      throw this.streamBroken('event', err);
    }
  }

  /** Needs no credential; the token in the answer is shown only this once. */
  login(username: string, password: string): Promise<LoginResponse> {
    return this.request('POST', '/v1/login', { body: { username, password }, scoped: false });
  }

  /** Ends the session whose token this client carries. */
  async logout(): Promise<void> {
    await this.request('POST', '/v1/logout', { body: {}, scoped: false });
  }

  whoami(): Promise<WhoAmIResponse> {
    return this.request('GET', '/v1/whoami');
  }

  listAccounts(): Promise<Account[]> {
    return this.request('GET', '/v1/accounts', { scoped: false });
  }

  createAccount(body: CreateAccountRequest): Promise<Account> {
    return this.request('POST', '/v1/accounts', { body, scoped: false });
  }

  getAccount(ref: string): Promise<Account> {
    return this.request('GET', `/v1/accounts/${seg(ref)}`, { scoped: false });
  }

  /** An administrator sets another account's password; that account's sessions end. */
  setAccountPassword(ref: string, password: string): Promise<Account> {
    return this.request('POST', `/v1/accounts/${seg(ref)}/password`, { body: { password }, scoped: false });
  }

  removeAccount(ref: string): Promise<{ id: string }> {
    return this.request('DELETE', `/v1/accounts/${seg(ref)}`, { scoped: false });
  }

  /** The account the session or personal key belongs to. */
  myAccount(): Promise<MyAccount> {
    return this.request('GET', '/v1/account', { scoped: false });
  }

  changeMyPassword(body: ChangeOwnPasswordRequest): Promise<Account> {
    return this.request('POST', '/v1/account/password', { body, scoped: false });
  }

  listMyApiKeys(): Promise<ApiKey[]> {
    return this.request('GET', '/v1/account/apikeys', { scoped: false });
  }

  /** A personal key acts as its account; the secret is in this answer only. */
  createMyApiKey(name: string): Promise<CreatedApiKey> {
    return this.request('POST', '/v1/account/apikeys', { body: { name }, scoped: false });
  }

  revokeMyApiKey(ref: string): Promise<RevokeApiKeyResponse> {
    return this.request('DELETE', `/v1/account/apikeys/${seg(ref)}`, { scoped: false });
  }

  /** The API keys of this client's environment. */
  listApiKeys(): Promise<ApiKey[]> {
    return this.request('GET', '/v1/apikeys');
  }

  /** A key of this client's environment; the secret is in this answer only. */
  createApiKey(body: CreateApiKeyRequest): Promise<CreatedApiKey> {
    return this.request('POST', '/v1/apikeys', { body });
  }

  revokeApiKey(ref: string): Promise<RevokeApiKeyResponse> {
    return this.request('DELETE', `/v1/apikeys/${seg(ref)}`);
  }

  listEnvironments(): Promise<Environment[]> {
    return this.request('GET', '/v1/environments', { scoped: false });
  }

  createEnvironment(body: CreateEnvironmentRequest): Promise<Environment> {
    return this.request('POST', '/v1/environments', { body, scoped: false });
  }

  getEnvironment(name: string): Promise<Environment> {
    return this.request('GET', `/v1/environments/${seg(name)}`, inEnv(name));
  }

  /** Administrators: sets the quotas given, keeps the others. */
  updateEnvironmentQuotas(name: string, quotas: UpdateQuotasRequest): Promise<Environment> {
    return this.request('PATCH', `/v1/environments/${seg(name)}/quotas`, { ...inEnv(name), body: quotas });
  }

  removeEnvironment(name: string): Promise<{ name: string }> {
    return this.request('DELETE', `/v1/environments/${seg(name)}`, inEnv(name));
  }

  /** Replaces the host paths any caller who may write services may bind in the environment (administrators). */
  setEnvironmentHostPaths(name: string, body: SetHostPathsRequest): Promise<Environment> {
    return this.request('PUT', `/v1/environments/${seg(name)}/host-paths`, { ...inEnv(name), body });
  }

  listMembers(env: string): Promise<EnvironmentMember[]> {
    return this.request('GET', `/v1/environments/${seg(env)}/members`, inEnv(env));
  }

  /** Adds the account to the environment, or changes its role there. */
  setMember(env: string, account: string, role: Role): Promise<EnvironmentMember> {
    return this.request('PUT', `/v1/environments/${seg(env)}/members/${seg(account)}`, { ...inEnv(env), body: { role } });
  }

  removeMember(env: string, account: string): Promise<{ accountId: string; username: string }> {
    return this.request('DELETE', `/v1/environments/${seg(env)}/members/${seg(account)}`, inEnv(env));
  }

  /** The audit history of this client's environment, filtered; the newest `limit`, oldest first. */
  listAudit(query: AuditQuery = {}): Promise<AuditListResponse> {
    return this.request('GET', '/v1/audit', { query: auditParams(query) });
  }

  /** The whole cluster's history (every environment, accounts, environments, logins); administrators. */
  listClusterAudit(query: AuditQuery = {}): Promise<AuditListResponse> {
    return this.request('GET', '/v1/audit/cluster', { query: auditParams(query), scoped: false });
  }

  /** Re-checks the hash chain of the whole audit history. */
  verifyAudit(): Promise<AuditVerifyResponse> {
    return this.request('GET', '/v1/audit/verify');
  }

  /** Networks of the environment, the built-in `default` included, each with the services attached. */
  listNetworks(): Promise<NetworkView[]> {
    return this.request('GET', '/v1/networks');
  }

  createNetwork(body: CreateNetworkRequest): Promise<NetworkView> {
    return this.request('POST', '/v1/networks', { body });
  }

  /** By name, id or unique id prefix; with its address range on each node (`ranges`). */
  getNetwork(ref: string): Promise<NetworkView> {
    return this.request('GET', `/v1/networks/${seg(ref)}`);
  }

  /** What the resolver answers a task of service `from` asking `name`. */
  dnsLookup(name: string, from: string): Promise<DnsLookupResult> {
    return this.request('GET', '/v1/dns/lookup', { query: { name, from } });
  }

  /** Refused (409) while a service lists it, and for the built-in `default`. */
  removeNetwork(ref: string): Promise<{ id: string; name: string }> {
    return this.request('DELETE', `/v1/networks/${seg(ref)}`);
  }

  /** Secrets of the environment: metadata only; the API never returns a secret's content. */
  listSecrets(): Promise<FileView[]> {
    return this.request('GET', '/v1/secrets');
  }

  /** `data` is base64 of the content (at most 500 KiB). */
  createSecret(body: CreateFileRequest): Promise<FileView> {
    return this.request('POST', '/v1/secrets', { body });
  }

  getSecret(ref: string): Promise<FileView> {
    return this.request('GET', `/v1/secrets/${seg(ref)}`);
  }

  /** A new version (base64 `data`); services that mount the secret roll to it. */
  rotateSecret(ref: string, data: string): Promise<FileView> {
    return this.request('POST', `/v1/secrets/${seg(ref)}/rotate`, { body: { data } });
  }

  removeSecret(ref: string): Promise<{ id: string; name: string }> {
    return this.request('DELETE', `/v1/secrets/${seg(ref)}`);
  }

  listConfigs(): Promise<FileView[]> {
    return this.request('GET', '/v1/configs');
  }

  createConfig(body: CreateFileRequest): Promise<FileView> {
    return this.request('POST', '/v1/configs', { body });
  }

  /** With `content`, the answer's `data` is base64 of the current version. */
  getConfig(ref: string, opts: { content?: boolean } = {}): Promise<FileView> {
    return this.request('GET', `/v1/configs/${seg(ref)}`, opts.content ? { query: { content: true } } : {});
  }

  rotateConfig(ref: string, data: string): Promise<FileView> {
    return this.request('POST', `/v1/configs/${seg(ref)}/rotate`, { body: { data } });
  }

  removeConfig(ref: string): Promise<{ id: string; name: string }> {
    return this.request('DELETE', `/v1/configs/${seg(ref)}`);
  }

  listStacks(): Promise<StackSummary[]> {
    return this.request('GET', '/v1/stacks');
  }

  /** Creates or updates the stack: only services whose spec changed are updated. */
  deployStack(name: string, body: DeployStackRequest): Promise<StackDeployResult> {
    return this.request('PUT', `/v1/stacks/${seg(name)}`, { body });
  }

  getStack(name: string): Promise<StackInspect> {
    return this.request('GET', `/v1/stacks/${seg(name)}`);
  }

  listStackServices(name: string): Promise<ServiceView[]> {
    return this.request('GET', `/v1/stacks/${seg(name)}/services`);
  }

  listStackTasks(name: string): Promise<TaskObject[]> {
    return this.request('GET', `/v1/stacks/${seg(name)}/tasks`);
  }

  /** Back to the previous version; the rollback is recorded as a new version. */
  rollbackStack(name: string): Promise<StackDeployResult> {
    return this.request('POST', `/v1/stacks/${seg(name)}/rollback`, { body: {} });
  }

  /** Compose service name → replicas. */
  scaleStack(name: string, services: Record<string, number>): Promise<ServiceView[]> {
    return this.request('POST', `/v1/stacks/${seg(name)}/scale`, { body: { services } });
  }

  removeStack(name: string): Promise<RemoveStackResponse> {
    return this.request('DELETE', `/v1/stacks/${seg(name)}`);
  }

  private async request<T>(method: string, path: string, opts: { query?: Query; body?: unknown; scoped?: boolean } = {}): Promise<T> {
    const url = this.url(path, opts.query ?? {}, opts.scoped ?? true);
    const headers = { ...this.headers, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) };
    const signal = this.combine(AbortSignal.timeout(this.timeoutMs));
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, { method, headers, body: opts.body === undefined ? null : JSON.stringify(opts.body), signal });
      text = await res.text();
    } catch (err) {
      throw this.requestFailed(err);
    }
    if (!res.ok) throw errorFromResponse(res.status, res.statusText, text, url);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ShoalError('internal', `the manager at ${this.baseUrl} sent a response that is not JSON`);
    }
  }

  private async openStream(path: string, query: Query, accept: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const url = this.url(path, query, true);
    let res: Response;
    try {
      res = await this.fetchImpl(url, { headers: { ...this.headers, accept }, signal: this.combine(signal) });
    } catch (err) {
      throw this.requestFailed(err);
    }
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      throw errorFromResponse(res.status, res.statusText, text, url);
    }
    return res.body;
  }

  private url(path: string, query: Query, scoped: boolean): string {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    if (scoped && this.env) url.searchParams.set('env', this.env);
    return url.toString();
  }

  private combine(extra: AbortSignal | undefined): AbortSignal | undefined {
    const signals = [this.signal, extra].filter((s): s is AbortSignal => s !== undefined);
    if (signals.length <= 1) return signals[0];
    return AbortSignal.any(signals);
  }

  private aborted(signal: AbortSignal | undefined): boolean {
    return Boolean(signal?.aborted || this.signal?.aborted);
  }

  private requestFailed(err: unknown): unknown {
    if (err instanceof ShoalError) return err;
    // A caller's abort is not a failure of the manager: let the caller see it as such.
    if (this.signal?.aborted) return err;
    if (isAbortError(err) && err instanceof Error && err.name === 'TimeoutError') {
      return new ShoalError('unavailable', `the Shoal manager at ${this.baseUrl} did not answer within ${Math.round(this.timeoutMs / 1000)}s`);
    }
    if (isAbortError(err)) return err;
    return unreachable(this.baseUrl, err);
  }

  private streamBroken(what: string, err: unknown): unknown {
    if (err instanceof ShoalError) return err;
    const reason = err instanceof Error ? err.message : String(err);
    return new ShoalError('unavailable', `the ${what} stream from ${this.baseUrl} broke: ${reason}`);
  }
}

const seg = (ref: string): string => encodeURIComponent(ref);

const auditParams = ({ since, until, actor, object, action, limit }: AuditQuery): Query => ({ since, until, actor, object, action, limit });

/** Routes about one environment act in it, so an owner there (not only an administrator) is granted them. */
const inEnv = (env: string): { query: Query; scoped: false } => ({ query: { env }, scoped: false });

/** UTF-8 then base64, without Node's Buffer, so the client also runs in the browser (web UI). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ShoalError('invalid_argument', `"${raw}" is not a URL (expected e.g. http://127.0.0.1:7420)`, 'host');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ShoalError('invalid_argument', `"${raw}" must be an http:// or https:// URL`, 'host');
  }
  return url.toString().replace(/\/+$/, '');
}
