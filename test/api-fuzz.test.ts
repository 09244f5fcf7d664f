// Fuzzes every REST route of a real manager (own process, SQLite store) with random and boundary
// JSON drawn from the routes' zod schemas (random JSON where a route has none at hand), hostile
// path parameters and query strings. Passes when no answer is 500 or more, the manager never
// dies, /healthz keeps answering, and its event loop is never held 200 ms by its own work
// (test/fuzz/stall-probe.ts). Replay a failing run
// with SHOAL_FUZZ_SEED=<the seed it printed>.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { createServiceSchema, scaleServiceSchema, updateServiceSchema } from '../src/api/service-spec.js';
import { createNetworkSchema } from '../src/api/networks.js';
import { createFileSchema, rotateFileSchema } from '../src/api/secrets.js';
import { updateQuotasSchema } from '../src/api/quotas.js';
import { deployStackSchema, scaleStackSchema } from '../src/manager/stacks/stack-request.js';
import { setHostPathsSchema } from '../src/manager/environments/host-paths.js';
import { buildRoutes, type RouteDeps } from '../src/manager/http/routes.js';
import type { RouteDef } from '../src/manager/http/route.js';
import { JsonSchemaSampler, type JsonSchema } from './fuzz/json-schema-sampler.js';
import { startFuzzManager, stopFuzzManager, type FuzzManager } from './fuzz/fuzz-manager.js';
import { SeededRandom, fuzzSeed } from './fuzz/seeded-random.js';

const requestBudget = Number(process.env.SHOAL_FUZZ_REQUESTS ?? 1500);

const jsonSchema = (s: z.ZodType): JsonSchema => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** Body schemas of the routes that take one; the others get random JSON with the field names below. */
const bodySchemas: Record<string, JsonSchema> = {
  'POST /v1/services': jsonSchema(createServiceSchema),
  'POST /v1/services/:ref/update': jsonSchema(updateServiceSchema),
  'POST /v1/services/:ref/upgrade': jsonSchema(updateServiceSchema),
  'POST /v1/services/:ref/scale': jsonSchema(scaleServiceSchema),
  'POST /v1/networks': jsonSchema(createNetworkSchema),
  'POST /v1/secrets': jsonSchema(createFileSchema),
  'POST /v1/configs': jsonSchema(createFileSchema),
  'POST /v1/secrets/:ref/rotate': jsonSchema(rotateFileSchema),
  'POST /v1/configs/:ref/rotate': jsonSchema(rotateFileSchema),
  'POST /v1/stacks': jsonSchema(deployStackSchema),
  'PUT /v1/stacks/:name': jsonSchema(deployStackSchema),
  'POST /v1/stacks/:name/scale': jsonSchema(scaleStackSchema),
  'PATCH /v1/environments/:name/quotas': jsonSchema(updateQuotasSchema),
  'PUT /v1/environments/:name/host-paths': jsonSchema(setHostPathsSchema),
};

const fieldNames = ['name', 'spec', 'image', 'replicas', 'role', 'username', 'password', 'currentPassword', 'newPassword', 'admin', 'data', 'labels', 'availability', 'version', 'files', 'content', 'services', 'env', 'description', 'expiresInDays', 'maxReplicas', 'hostPaths', 'members'];
const queryNames = ['since', 'until', 'kind', 'tail', 'follow', 'env', 'name', 'service', 'node', 'action', 'actor', 'limit', 'force', 'content', 'from', 'object'];

/** A compose file the renderer accepts, with values the sampler may have replaced. */
function composeFile(rnd: SeededRandom): string {
  const replicas = rnd.pick(['1', '0', '-1', '1000000000', '"x"', '1.5']);
  const image = rnd.pick(['shoal-test/busybox:1', '""', '"a\\u0000b"', 'x'.repeat(5000)]);
  const extra = rnd.pick(['', '    volumes: ["/var/run/docker.sock:/s"]\n', '    ports: ["8080:80", "8080:80"]\n', '    environment: { A: "${A:-${B:-c}}" }\n', '    deploy: { resources: { limits: { memory: 1Z } } }\n']);
  return `services:\n  web:\n    image: ${image}\n    deploy:\n      replicas: ${replicas}\n${extra}`;
}

type Manager = FuzzManager;

interface Outcome {
  status: number;
  body: string;
}

/** A body sent as it is: JSON nested deeper than JSON.stringify itself can write. */
class RawBody {
  constructor(readonly text: string) {}
}

async function send(m: Manager, method: string, path: string, body?: unknown): Promise<Outcome> {
  const abort = new AbortController();
  // Streams (events, logs -f) never end on their own: the status line is all this test needs.
  const timer = setTimeout(() => abort.abort(), 15_000);
  try {
    const res = await fetch(`${m.url}${path}`, {
      method,
      headers: { authorization: m.authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: body instanceof RawBody ? body.text : JSON.stringify(body) }),
      signal: abort.signal,
    }).catch((err: unknown) => {
      // The connection broke before an answer: a request the manager could not even answer.
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      return { failed: `connection failed: ${cause}` } as const;
    });
    if ('failed' in res) return { status: 0, body: res.failed };
    const streaming = /event-stream|ndjson/.test(res.headers.get('content-type') ?? '');
    const text = streaming ? '' : await res.text();
    return { status: res.status, body: text.slice(0, 300) };
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** Objects for the path parameters to name, so requests reach past "not found". */
async function makeFixtures(m: Manager): Promise<void> {
  const data = Buffer.from('fuzz').toString('base64');
  await send(m, 'POST', '/v1/services', { name: 'fz-svc', spec: { image: 'shoal-test/busybox:1', replicas: 1 } });
  await send(m, 'POST', '/v1/networks', { name: 'fz-net' });
  await send(m, 'POST', '/v1/secrets', { name: 'fz-sec', data });
  await send(m, 'POST', '/v1/configs', { name: 'fz-cfg', data });
  await send(m, 'POST', '/v1/environments', { name: 'fz-env' });
  await send(m, 'POST', '/v1/accounts', { username: 'fz-user', password: 'a long fuzz password 1' });
  await send(m, 'POST', '/v1/stacks', { name: 'fz-stack', files: [{ name: 'compose.yml', content: 'services:\n  web:\n    image: shoal-test/busybox:1\n' }] });
}

const knownRefs = ['fz-svc', 'fz-net', 'fz-sec', 'fz-cfg', 'fz-env', 'fz-user', 'fz-stack', 'default'];
const hostileRefs = ['..', '../../etc', 'x'.repeat(90), 'x'.repeat(5000), '%00', '%0A', '\u{1F41F}', '-1', 'null', 'a b'];

function pathOf(route: RouteDef, rnd: SeededRandom): string {
  return route.url.replace(/:(\w+)/g, (_m, param: string) => {
    // Never the administrator itself: the run must keep its credential.
    const ref = rnd.chance(0.7) ? rnd.pick(knownRefs) : rnd.pick(hostileRefs);
    return param === 'ref' && route.url.startsWith('/v1/accounts') && ref === 'admin' ? 'fz-user' : encodeURIComponent(ref).replace(/%25/g, '%');
  });
}

function queryOf(route: RouteDef, rnd: SeededRandom): string {
  if (rnd.chance(0.7)) return '';
  // Mostly the parameters the route declares, so bodies get past the query check; sometimes a
  // stray one, which must be a 400 naming it.
  const declared = Object.keys(route.query ?? {});
  const params = new URLSearchParams();
  for (let i = rnd.int(1, 3); i > 0; i--) {
    const name = declared.length > 0 && rnd.chance(0.85) ? rnd.pick(declared) : rnd.pick(queryNames);
    params.append(name, rnd.pick(['0', '1', '-1', 'true', 'bogus', '1e9', '99999999999999999999', 'x'.repeat(2000), 'default', 'fz-svc', 'service', '\u0000', '']));
  }
  return `?${params.toString()}`;
}

function bodyOf(route: RouteDef, sampler: JsonSchemaSampler, rnd: SeededRandom): unknown {
  if (route.method === 'GET' || route.method === 'DELETE') return undefined;
  const key = `${route.method} ${route.url}`;
  if (rnd.chance(0.02)) return new RawBody(`${'{"a":['.repeat(50_000)}1${']}'.repeat(50_000)}`);
  const schema = bodySchemas[key];
  const body = schema ? sampler.sample(schema) : sampler.anyJson(0, fieldNames);
  if ((key === 'POST /v1/stacks' || key === 'PUT /v1/stacks/:name') && body && typeof body === 'object' && rnd.chance(0.6)) {
    return { ...body, files: [{ name: 'compose.yml', content: composeFile(rnd) }] };
  }
  return body;
}

test('API fuzz: no answer ≥ 500, no crash, /healthz answers and the event loop is never held 200 ms', { timeout: 600_000 }, async () => {
  const seed = fuzzSeed();
  console.log(`api fuzz seed ${seed} (replay: SHOAL_FUZZ_SEED=${seed})`);
  const rnd = new SeededRandom(seed);
  // Bodies with no, few or many bad values: one bad value anywhere is a 400, so valid and nearly
  // valid bodies are needed to reach what handlers do after validation.
  const samplers = [new JsonSchemaSampler(rnd, 0), new JsonSchemaSampler(rnd, 0.02), new JsonSchemaSampler(rnd, 0.08)];
  // The route table itself, so a route added later is fuzzed without anyone listing it here.
  const routes = buildRoutes(new Proxy({}, { get: () => ({}) }) as RouteDeps).filter((r) => !/logout/.test(r.url));
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-api-fuzz-'));
  const m = await startFuzzManager(dataDir);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  // The last requests, named when the manager stops answering: the culprit is among them.
  const recent: string[] = [];
  try {
    await makeFixtures(m);
    // One plain request per route first: the manager compiles and caches on first use (schemas,
    // statements), a one-time cost at start that is not a request blocking the loop.
    for (const route of routes) if (route.method === 'GET') await send(m, 'GET', pathOf(route, rnd));
    await m.ask('lag-reset', 'lagReset');
    for (let i = 0; i < requestBudget; i++) {
      if (i % 200 === 199) await makeFixtures(m);
      const route = rnd.pick(routes);
      const path = pathOf(route, rnd) + queryOf(route, rnd);
      // Bodies over the API's size limit get 413 before any handler runs (bad-input.test.ts covers
      // that); the fuzz is after what handlers do with what they accept to parse.
      const sampler = rnd.pick(samplers);
      let body = bodyOf(route, sampler, rnd);
      for (let tries = 0; tries < 5 && !(body instanceof RawBody) && (JSON.stringify(body)?.length ?? 0) > 900 * 1024; tries++) body = bodyOf(route, sampler, rnd);
      recent.push(`#${i} ${route.method} ${path.slice(0, 120)} ${body instanceof RawBody ? '(deeply nested)' : (JSON.stringify(body) ?? '').slice(0, 300)}`);
      if (recent.length > 8) recent.shift();
      const out = await send(m, route.method, path, body);
      if (process.env.SHOAL_FUZZ_LAG_TRACE) {
        const { maxMs, busyMs } = await m.ask<{ maxMs: number; busyMs: number }>('lag-reset', 'lagReset');
        if (maxMs > 60) console.log(`lag ${maxMs.toFixed(0)} ms (${busyMs} ms of it the manager's own work) after ${recent.at(-1)?.slice(0, 200) ?? ''}`);
      }
      statuses.set(out.status, (statuses.get(out.status) ?? 0) + 1);
      if (out.status >= 500 || out.status === 0) failures.push(`#${i} ${route.method} ${path.slice(0, 120)} → ${out.status} ${out.body}\n  body: ${body instanceof RawBody ? '(deeply nested)' : JSON.stringify(body)?.slice(0, 400)}`);
      if (i % 25 === 0) {
        const health = await send(m, 'GET', '/healthz');
        assert.equal(health.status, 200, `/healthz after request #${i} (seed ${seed}); the last requests:\n${recent.join('\n')}`);
      }
      assert.equal(m.child.exitCode, null, `the manager died after request #${i} (seed ${seed}); the last requests:\n${recent.join('\n')}`);
    }
    const lag = await m.ask<{ maxMs: number; p99Ms: number; busyMs: number; heapMiB: number }>('lag', 'lag');
    console.log(`api fuzz: ${requestBudget} requests over ${routes.length} routes; answers ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; event loop max ${lag.maxMs.toFixed(0)} ms (the manager's own work in it at most ${lag.busyMs} ms), p99 ${lag.p99Ms.toFixed(0)} ms; heap ${lag.heapMiB.toFixed(0)} MiB`);
    assert.deepEqual(failures, [], `answers ≥ 500 (seed ${seed})`);
    // The loop is judged by its own work: on a machine whose cores other work holds (CI under
    // `stress`), a waiting loop shows long gaps that no request of the manager's caused.
    assert.ok(lag.busyMs < 200, `the manager's event loop was held ${lag.busyMs} ms by its own work (seed ${seed})`);
  } finally {
    await stopFuzzManager(m);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
