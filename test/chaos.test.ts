import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { TaskObject } from '../src/api/objects.js';
import type { StackDeployResult } from '../src/api/stack-views.js';
import { isTerminal } from '../src/api/task-state.js';
import type { ServiceView } from '../src/client/types.js';
import type { MultiHostCluster } from './harness/multi-host/index.js';
import { duplicateSlots, leftovers, shoalContainersOn, startMultiHostCluster, waitNodeState } from './harness/multi-host/index.js';
import { SeededRandom, seedFromEnv } from './harness/seeded-random.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { sleep, waitFor } from './harness/wait.js';

/**
 * Chaos: kill -9 of an agent, of an extra engine's dockerd and of the manager, in the middle of
 * a stack deploy and of a rolling update, `SHOAL_CHAOS_REPEATS` (5) times each, on a real 3-node
 * cluster. After each fault the killed part is started again and the cluster must converge:
 * every service runs exactly its replicas at its current spec version, no slot runs twice (in
 * the manager's view at every look, and in the engines once converged), every write the API
 * acknowledged is there, and every Shoal container on every engine belongs to a task the manager
 * knows (a running one to a task it wants running, a stopped one to an ended task it keeps as
 * history). Every random choice comes from one seed, printed first: `SHOAL_CHAOS_SEED=N` replays
 * the same choices.
 */

const seed = seedFromEnv('SHOAL_CHAOS_SEED');
const repeats = Number(process.env.SHOAL_CHAOS_REPEATS ?? 5);
const rng = new SeededRandom(seed);
const convergeTimeoutMs = 120_000;

type FaultKind = 'agent' | 'engine' | 'manager';

interface Fault {
  kind: FaultKind;
  /** Node index (agent, engine). */
  victim: number | undefined;
  /** How long the killed part stays down before it is started again. */
  downMs: number;
}

interface Expected {
  name: string;
  replicas: number;
  image: string;
}

const log = (msg: string): void => {
  process.stderr.write(`chaos: ${msg}\n`);
};

const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Three small services, 5 tasks in all, fast to stop (SIGKILL or init) and restarted quickly. */
const stackServices = [
  { service: 'web', replicas: 2, image: 'shoal-test/busybox:1', keys: ['stop_signal: SIGKILL'] },
  { service: 'worker', replicas: 2, image: 'shoal-test/busybox:2', keys: ['command: ["sleep", "3600"]', 'init: true'] },
  { service: 'cache', replicas: 1, image: 'shoal-test/busybox:1', keys: ['command: ["sleep", "3600"]', 'stop_signal: SIGKILL'] },
];

function composeFile(rep: number): string {
  const service = (s: (typeof stackServices)[number]): string[] => [
    `  ${s.service}:`,
    `    image: ${s.image}`,
    ...s.keys.map((k) => `    ${k}`),
    `    environment: {CHAOS_REP: "${rep}"}`,
    '    deploy:',
    `      replicas: ${s.replicas}`,
    '      restart_policy: {condition: any, delay: 300ms}',
  ];
  return ['services:', ...stackServices.flatMap(service), ''].join('\n');
}

/**
 * Small writes made all through a fault: alternately a secret and a config, each under a new
 * name. Those the API answered 2xx must all be there afterwards; the others may or may not be.
 */
class WriteStream {
  readonly acked: { kind: 'secret' | 'config'; name: string; data: string }[] = [];
  refused = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(private readonly c: MultiHostCluster, private readonly prefix: string) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    for (let n = 0; !this.stopped; n++) {
      const kind = n % 2 === 0 ? 'secret' : 'config';
      const name = `${this.prefix}-${n}`;
      const data = Buffer.from(`${name}: chaos write ${n}`).toString('base64');
      try {
        if (kind === 'secret') await this.c.client.createSecret({ name, data });
        else await this.c.client.createConfig({ name, data });
        this.acked.push({ kind, name, data });
      } catch {
        this.refused++;
      }
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** Acknowledged writes that are not (or not as written) in the store. */
async function missingWrites(c: MultiHostCluster, writes: WriteStream['acked'], checkContent: boolean): Promise<string[]> {
  const secrets = new Set((await c.client.listSecrets()).map((s) => s.name));
  const configs = new Set((await c.client.listConfigs()).map((s) => s.name));
  const missing: string[] = [];
  for (const w of writes) {
    if (!(w.kind === 'secret' ? secrets : configs).has(w.name)) {
      missing.push(`${w.kind} ${w.name}`);
      continue;
    }
    if (checkContent && w.kind === 'config') {
      const got = await c.client.getConfig(w.name, { content: true });
      if (got.data !== w.data) missing.push(`config ${w.name} holds other content`);
    }
  }
  return missing;
}

/**
 * What keeps the cluster from being converged, in words (empty: converged). Slots running twice
 * in the manager's view are thrown at once: that is never a transient state.
 */
async function convergenceProblems(c: MultiHostCluster, expected: Expected[]): Promise<string[]> {
  const problems: string[] = [];
  const services = await c.client.listServices();
  const tasks = await c.client.listTasks();
  const byId = new Map<string, TaskObject>(tasks.map((t) => [t.id, t]));
  for (const s of services) {
    const running = tasks.filter((t) => t.serviceId === s.id && t.desiredState === 'running' && t.status.state === 'running');
    assert.deepEqual(duplicateSlots(running), [], `no slot of ${s.name} with two running tasks in the manager's view`);
  }
  for (const e of expected) {
    const s = services.find((x) => x.name === e.name);
    if (!s) {
      problems.push(`${e.name}: no such service`);
      continue;
    }
    if (s.spec.image !== e.image) problems.push(`${e.name}: image ${s.spec.image}, not ${e.image}`);
    if (s.updateStatus && s.updateStatus.state !== 'completed') problems.push(`${e.name}: update ${s.updateStatus.state} (${s.updateStatus.message})`);
    const wanted = tasks.filter((t) => t.serviceId === s.id && t.desiredState === 'running');
    const running = wanted.filter((t) => t.status.state === 'running');
    if (wanted.length !== e.replicas || running.length !== e.replicas) {
      problems.push(`${e.name}: ${running.length} running of ${wanted.length} wanted, not ${e.replicas} (${wanted.map((t) => `${t.slot}:${t.status.state}`).join(' ')})`);
    }
    const stale = running.filter((t) => t.specVersion !== s.specVersion);
    if (stale.length > 0) problems.push(`${e.name}: ${stale.length} running task(s) of spec version ${stale.map((t) => t.specVersion).join(',')}, not ${s.specVersion}`);
  }
  const runningContainers: { service: string; slot: number | undefined; id: string }[] = [];
  for (const n of c.nodes) {
    for (const x of await shoalContainersOn(c, n.index)) {
      const taskId = x.Labels['io.shoal.task.id'] ?? '';
      const task = byId.get(taskId);
      const what = `container ${x.Id.slice(0, 12)} (${x.State}) on ${n.name} of task ${taskId}`;
      if (!task) {
        problems.push(`${what}: a task the manager does not know`);
        continue;
      }
      if (x.State === 'running') {
        runningContainers.push({ service: task.serviceName, slot: task.slot, id: x.Id });
        const owned = task.desiredState === 'running' && task.status.state === 'running' && task.status.containerId === x.Id && task.nodeId === n.nodeId;
        if (!owned) problems.push(`${what}: its task is ${task.status.state}, desired ${task.desiredState}, on ${task.nodeId}, container ${task.status.containerId?.slice(0, 12)}`);
      } else if (!isTerminal(task.status.state)) {
        problems.push(`${what}: stopped, but its task is ${task.status.state} (desired ${task.desiredState})`);
      }
    }
  }
  for (const e of expected) {
    const dup = duplicateSlots(runningContainers.filter((x) => x.service === e.name));
    if (dup.length > 0) problems.push(`${e.name}: slots with two running containers: ${JSON.stringify(dup)}`);
  }
  return problems;
}

async function waitConverged(c: MultiHostCluster, expected: Expected[], what: string): Promise<number> {
  const t0 = Date.now();
  let last: string[] = [];
  for (;;) {
    try {
      last = await convergenceProblems(c, expected);
      if (last.length === 0) return Date.now() - t0;
    } catch (err) {
      if (err instanceof assert.AssertionError) throw new assert.AssertionError({ message: `${what}: ${err.message}\n${c.logs(3000)}` });
      last = [`cannot read the cluster: ${describeError(err)}`];
    }
    if (Date.now() - t0 > convergeTimeoutMs) {
      assert.fail(`${what}: not converged after ${convergeTimeoutMs} ms:\n  ${last.join('\n  ')}\n${c.logs(3000)}`);
    }
    await sleep(250);
  }
}

/** Retries a write until the manager answers it (after a manager restart, say). */
async function untilAnswered<T>(what: string, write: () => Promise<T>): Promise<T> {
  return waitFor(what, () => write(), 60_000, 250);
}

describe('chaos: kill -9 of agents, engines and the manager during deploys and rolling updates', { timeout: 20 * 60_000 }, () => {
  let c: MultiHostCluster;
  /** The service the rolling updates act on: 3 replicas, parallelism 1, stop-first. */
  const rolling = uniqueName('roll');
  let rollingImage = 'shoal-test/busybox:1';
  const allWrites: WriteStream['acked'] = [];
  const replicas = 3;

  before(async () => {
    log(`seed ${seed} (replay: SHOAL_CHAOS_SEED=${seed}), ${repeats} repeats per fault and operation`);
    c = await startMultiHostCluster({ nodes: 3 });
    await c.client.createService({
      name: rolling,
      spec: webSpec({
        replicas,
        restartPolicy: { condition: 'any', delayMs: 300 },
        // A task lost to a fault is not the new image's failure: the update goes on.
        updateConfig: { parallelism: 1, delayMs: 0, monitorMs: 500, order: 'stop-first', failureAction: 'continue' },
      }),
    });
    await waitConverged(c, [{ name: rolling, replicas, image: rollingImage }], 'initial service');
  }, { timeout: 240_000 });

  beforeEach(async () => {
    // A failed round may have left a part down: start it again before the next test.
    if (!c.manager.running()) await c.startManager();
    for (const n of c.nodes) {
      if (n.engine && !(await n.docker.ping().then(() => true, () => false))) await c.restartEngine(n.index);
      if (!n.agent?.running()) await c.startAgent(n.index);
    }
    for (const n of c.nodes) await waitNodeState(c, n.index, 'ready', 60_000);
  });

  after(async () => {
    if (!c) return;
    try {
      assert.deepEqual(await missingWrites(c, allWrites, false), [], 'every acknowledged write of every round is still there at the end');
    } finally {
      const runId = c.runId;
      assert.deepEqual(await c.destroy(), [], 'teardown removed everything');
      assert.deepEqual(leftovers(runId), [], 'nothing of the run is left on the machine');
    }
  });

  function planFault(kind: FaultKind): Fault {
    const victim = kind === 'agent' ? rng.int(0, c.nodes.length - 1) : kind === 'engine' ? rng.int(1, c.nodes.length - 1) : undefined;
    return { kind, victim, downMs: rng.int(0, 2000) };
  }

  const faultName = (f: Fault): string => (f.kind === 'manager' ? 'the manager' : `the ${f.kind === 'agent' ? 'agent' : 'dockerd'} of node-${f.victim}`);

  /** Kills, waits the planned time, and starts the killed part again (also when something failed). */
  async function strike(f: Fault): Promise<void> {
    const victim = f.victim ?? 0;
    if (f.kind === 'agent') await c.killAgent(victim);
    else if (f.kind === 'engine') await c.killEngine(victim);
    else await c.killManager();
    await sleep(f.downMs);
    if (f.kind === 'agent') await c.startAgent(victim);
    else if (f.kind === 'engine') await c.restartEngine(victim);
    else await c.startManager();
  }

  const runningOf = (tasks: TaskObject[], image?: string): number =>
    tasks.filter((t) => t.desiredState === 'running' && t.status.state === 'running' && (image === undefined || t.spec.image === image)).length;

  /** Waits (bounded) until `k` tasks counted by `count` run; a slow machine then strikes later, never not at all. */
  async function reached(k: number, count: () => Promise<number>): Promise<number> {
    if (k === 0) return 0;
    return waitFor(`${k} tasks running`, async () => {
      const n = await count().catch(() => 0);
      return n >= k ? n : undefined;
    }, 30_000, 50).catch(() => -1);
  }

  async function stackRound(kind: FaultKind, rep: number): Promise<void> {
    const stack = `chaos${kind}${rep}${Date.now().toString(36).slice(-4)}`;
    const fault = planFault(kind);
    const k = rng.int(0, 4);
    // k = 0: strike at once, often while the deploy request is still in flight.
    const jitterMs = k === 0 ? rng.int(0, 100) : rng.int(0, 500);
    log(`stack deploy ${rep}/${repeats}: kill ${faultName(fault)} once ${k} of 5 tasks run, +${jitterMs} ms, down ${fault.downMs} ms`);
    const writes = new WriteStream(c, `w-${stack}`);
    let acked: StackDeployResult | undefined;
    let refused: unknown;
    const request = { files: [{ name: 'compose.yaml', content: composeFile(rep) }] };
    const deploying = c.client.deployStack(stack, request).then((r) => void (acked = r), (err: unknown) => void (refused = err));
    try {
      const seen = await reached(k, async () => runningOf(await c.client.listStackTasks(stack)));
      await sleep(jitterMs);
      log(`  strike with ${seen < 0 ? 'fewer than planned' : seen} running, deploy ${acked ? 'acknowledged' : 'in flight'}`);
      await strike(fault);
    } finally {
      await deploying;
      await writes.stop();
    }
    if (!acked) {
      // Only the manager's death may cost the client its answer; then it deploys again, as a user would.
      assert.equal(kind, 'manager', `the deploy failed without the manager being killed: ${describeError(refused)}`);
      log(`  the deploy got no answer (${describeError(refused)}); deploying again`);
      acked = await untilAnswered('the deploy again', () => c.client.deployStack(stack, request));
    }
    const expected = stackServices.map((s) => ({ name: `${stack}_${s.service}`, replicas: s.replicas, image: s.image }));
    const ms = await waitConverged(c, [...expected, { name: rolling, replicas, image: rollingImage }], `stack deploy ${rep} with ${faultName(fault)} killed`);
    const inspect = await c.client.getStack(stack);
    assert.ok(inspect.version >= acked.version, `the stack is at version ${inspect.version}, the deploy was acknowledged at ${acked.version}`);
    assert.deepEqual(Object.keys(inspect.services).sort(), stackServices.map((s) => s.service).sort());
    assert.deepEqual(await missingWrites(c, writes.acked, true), [], 'every acknowledged write is there');
    allWrites.push(...writes.acked);
    log(`  converged ${ms} ms after the restart; writes: ${writes.acked.length} acknowledged, ${writes.refused} refused`);
    await c.client.removeStack(stack);
    await waitFor(`the containers of stack ${stack} to be removed`, async () => {
      for (const n of c.nodes) {
        if ((await shoalContainersOn(c, n.index)).some((x) => x.Labels['io.shoal.service.name']?.startsWith(`${stack}_`))) return false;
      }
      return true;
    }, 60_000, 250);
  }

  async function rollingRound(kind: FaultKind, rep: number): Promise<void> {
    const fault = planFault(kind);
    const k = rng.int(0, replicas - 1);
    const jitterMs = k === 0 ? rng.int(0, 100) : rng.int(0, 500);
    const target = rollingImage === 'shoal-test/busybox:1' ? 'shoal-test/busybox:2' : 'shoal-test/busybox:1';
    log(`rolling update ${rep}/${repeats} to ${target}: kill ${faultName(fault)} once ${k} of ${replicas} new tasks run, +${jitterMs} ms, down ${fault.downMs} ms`);
    const current = await c.client.getService(rolling);
    const writes = new WriteStream(c, `w-${rolling}-${kind}-${rep}`);
    let acked: ServiceView | undefined;
    let refused: unknown;
    const request = () => ({ version: current.version, spec: { ...current.spec, image: target } });
    const updating = c.client.updateService(rolling, request()).then((r) => void (acked = r), (err: unknown) => void (refused = err));
    try {
      const seen = await reached(k, async () => runningOf(await c.client.listTasks({ service: rolling }), target));
      await sleep(jitterMs);
      log(`  strike with ${seen < 0 ? 'fewer than planned' : seen} new tasks running, update ${acked ? 'acknowledged' : 'in flight'}`);
      await strike(fault);
    } finally {
      await updating;
      await writes.stop();
    }
    if (!acked) {
      assert.equal(kind, 'manager', `the update failed without the manager being killed: ${describeError(refused)}`);
      log(`  the update got no answer (${describeError(refused)}); reading the service and updating again if it did not land`);
      const now = await untilAnswered('the service', () => c.client.getService(rolling));
      acked = now.spec.image === target ? now : await untilAnswered('the update again', () => c.client.updateService(rolling, { version: now.version, spec: { ...now.spec, image: target } }));
    }
    rollingImage = target;
    const ms = await waitConverged(c, [{ name: rolling, replicas, image: target }], `rolling update ${rep} with ${faultName(fault)} killed`);
    const after = await c.client.getService(rolling);
    assert.ok(after.specVersion >= acked.specVersion, `spec version ${after.specVersion}, the update was acknowledged at ${acked.specVersion}`);
    assert.deepEqual(await missingWrites(c, writes.acked, true), [], 'every acknowledged write is there');
    allWrites.push(...writes.acked);
    log(`  converged ${ms} ms after the restart; writes: ${writes.acked.length} acknowledged, ${writes.refused} refused`);
  }

  for (const kind of ['agent', 'engine', 'manager'] as const) {
    test(`kill -9 of ${kind === 'engine' ? 'an engine\'s dockerd' : kind === 'agent' ? 'an agent' : 'the manager'} during a stack deploy, ${repeats} times`, async () => {
      for (let rep = 1; rep <= repeats; rep++) await stackRound(kind, rep);
    });
    test(`kill -9 of ${kind === 'engine' ? 'an engine\'s dockerd' : kind === 'agent' ? 'an agent' : 'the manager'} during a rolling update, ${repeats} times`, async () => {
      for (let rep = 1; rep <= repeats; rep++) await rollingRound(kind, rep);
    });
  }
});
