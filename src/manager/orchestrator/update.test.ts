import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSpecInput } from '../../api/service-spec.js';
import { ms } from '../../lib/clock.js';
import type { AgentBehaviour } from './fixtures.test-util.js';
import {
  T0,
  agentStep,
  liveTasks,
  makeNode,
  makeService,
  makeView,
  managerStep,
  round,
  serviceOf,
  servingSlots,
  updatedService,
} from './fixtures.test-util.js';
import type { ClusterView } from './view.js';

const nodes = ['n1', 'n2', 'n3'].map((id) => makeNode(id));

/** A service whose tasks all run, as after deployment. */
function deployed(spec: ServiceSpecInput): ClusterView {
  let view = makeView({ services: [makeService('web', spec)], nodes });
  for (let i = 0; i < 3; i++) view = round(view);
  assert.equal(servingSlots(view, 'web'), (spec.replicas ?? 1), 'deployment settles');
  return view;
}

function startUpdate(view: ClusterView, change: Partial<ServiceSpecInput>): ClusterView {
  return { ...view, services: [updatedService(serviceOf(view, 'web'), change, view.now)] };
}

const image = (view: ClusterView, state = 'running'): string[] =>
  liveTasks(view, 'web')
    .filter((t) => t.status.state === state)
    .map((t) => t.spec.image)
    .sort();

/** Runs rounds until the update state changes, checking `each` after every round. */
function drive(view: ClusterView, opts: { rounds?: number; stepMs?: number; agent?: AgentBehaviour; each?: (v: ClusterView) => void } = {}): ClusterView {
  const { rounds = 60, stepMs = 1000, agent = {}, each } = opts;
  const from = serviceOf(view, 'web').updateStatus?.state;
  for (let i = 0; i < rounds; i++) {
    view = round(view, stepMs, agent);
    each?.(view);
    if (serviceOf(view, 'web').updateStatus?.state !== from) return view;
  }
  return view;
}

const failNew = (img: string): AgentBehaviour => ({ onStart: (t) => (t.spec.image === img ? 'failed' : undefined) });

void describe('rolling update', () => {
  void test('stop-first never has more than parallelism slots without a running task', () => {
    const spec = { image: 'app:1', replicas: 5, updateConfig: { parallelism: 2, monitorMs: 2000 } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    let worst = 0;
    view = drive(view, {
      each: (v) => {
        worst = Math.max(worst, 5 - servingSlots(v, 'web'));
      },
    });
    assert.ok(worst <= 2, `slots down at once: ${worst}`);
    assert.ok(worst > 0, 'the update did replace tasks');
    const status = serviceOf(view, 'web').updateStatus;
    assert.equal(status?.state, 'completed');
    assert.ok(status?.completedAt);
    assert.deepEqual(image(view), Array(5).fill('app:2'));
    // The old tasks were all stopped, none left desired running.
    assert.equal(liveTasks(view, 'web').length, 5);
  });

  void test('stop-first holds the replacement back until the old task has stopped', () => {
    const view = startUpdate(deployed({ image: 'app:1', replicas: 1 }), { image: 'app:2' });
    const { view: after, reconciled } = managerStep(view);
    const created = reconciled.createTasks[0];
    assert.equal(created?.status.state, 'new');
    assert.equal(after.tasks.find((t) => t.id === created?.id)?.nodeId, undefined, 'not scheduled yet');
    // The old task stops; the next pass releases the new one, which then runs.
    const stopped = agentStep(after);
    assert.deepEqual(image(stopped), []);
    const next = managerStep({ ...stopped, now: stopped.now + 1000 });
    assert.equal(next.reconciled.updateTasks.find((t) => t.id === created?.id)?.status.state, 'pending');
    assert.equal(next.view.tasks.find((t) => t.id === created?.id)?.status.state, 'assigned');
  });

  void test('a stop-first replacement waiting on a task whose node went down is released', () => {
    const view = startUpdate(deployed({ image: 'app:1', replicas: 1 }), { image: 'app:2' });
    const { view: after, reconciled } = managerStep(view);
    const created = reconciled.createTasks[0];
    const oldNode = liveTasks(view, 'web')[0]?.nodeId;
    const down = { ...after, nodes: after.nodes.map((n) => (n.id === oldNode ? { ...n, status: { ...n.status, state: 'down' as const } } : n)) };
    const next = managerStep(down);
    const released = next.view.tasks.find((t) => t.id === created?.id);
    assert.equal(released?.status.state, 'assigned');
    assert.notEqual(released?.nodeId, oldNode);
  });

  void test('start-first never drops below the replica count', () => {
    const spec = { image: 'app:1', replicas: 4, updateConfig: { parallelism: 2, order: 'start-first' as const, monitorMs: 0 } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    let lowest = Infinity;
    view = drive(view, { each: (v) => (lowest = Math.min(lowest, servingSlots(v, 'web'))) });
    assert.equal(lowest, 4);
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
    assert.deepEqual(image(view), Array(4).fill('app:2'));
    assert.equal(view.tasks.filter((t) => t.status.state === 'running').length, 4, 'old tasks stopped');
  });

  void test('the delay separates batches and is recorded as nextBatchAt', () => {
    const spec = { image: 'app:1', replicas: 3, updateConfig: { parallelism: 1, delayMs: 10_000, monitorMs: 0 } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    const starts: number[] = [];
    let sawNextBatch = false;
    for (let i = 0; i < 60; i++) {
      const { reconciled } = managerStep(view);
      if (reconciled.createTasks.some((t) => t.spec.image === 'app:2')) starts.push(view.now);
      const s = reconciled.updateServices[0]?.updateStatus;
      if (s?.nextBatchAt) {
        sawNextBatch = true;
        assert.equal(reconciled.wakeAt, ms(s.nextBatchAt));
      }
      view = round(view);
    }
    assert.ok(sawNextBatch);
    assert.equal(starts.length, 3);
    for (let i = 1; i < starts.length; i++) assert.ok((starts[i] ?? 0) - (starts[i - 1] ?? 0) >= 10_000);
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
  });

  void test('completion waits for the monitor period after the last task started', () => {
    const spec = { image: 'app:1', replicas: 1, updateConfig: { monitorMs: 30_000 } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    for (let i = 0; i < 5; i++) view = round(view);
    assert.deepEqual(image(view), ['app:2']);
    const { reconciled } = managerStep(view);
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'updating');
    const since = ms(liveTasks(view, 'web')[0]?.status.runningSince);
    assert.equal(reconciled.wakeAt, since + 30_000);
    view = drive(view, { stepMs: 5000 });
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
    assert.ok(ms(serviceOf(view, 'web').updateStatus?.completedAt) >= since + 30_000);
  });

  void test('a failure within the monitor period pauses the update, naming the task', () => {
    const spec = { image: 'app:1', replicas: 4, updateConfig: { parallelism: 1 }, restartPolicy: { delayMs: 0 } };
    let view = startUpdate(deployed(spec), { image: 'bad:2' });
    view = drive(view, { agent: failNew('bad:2') });
    const status = serviceOf(view, 'web').updateStatus;
    assert.equal(status?.state, 'paused');
    assert.match(status?.message ?? '', /^update paused: task web\.\d\.\S+ failed: exit code 1$/);
    // Paused: no more slots are replaced, though the failing slot keeps restarting.
    const touchedSlots = () => new Set(view.tasks.filter((t) => t.spec.image === 'bad:2').map((t) => t.slot));
    assert.equal(touchedSlots().size, 1);
    const before = view.tasks.filter((t) => t.spec.image === 'bad:2').length;
    for (let i = 0; i < 5; i++) view = round(view, 1000, failNew('bad:2'));
    assert.equal(touchedSlots().size, 1);
    assert.ok(view.tasks.filter((t) => t.spec.image === 'bad:2').length > before, 'restarts continue');
    assert.equal(servingSlots(view, 'web'), 3);
  });

  void test('failure action rollback returns to the old spec and completes', () => {
    const spec = {
      image: 'app:1',
      replicas: 4,
      updateConfig: { parallelism: 2, failureAction: 'rollback' as const },
      rollbackConfig: { parallelism: 0, monitorMs: 0 },
    };
    const steady = deployed(spec);
    const untouched = liveTasks(steady, 'web').filter((t) => t.slot === 3 || t.slot === 4).map((t) => t.id);
    let view = startUpdate(steady, { image: 'bad:2' });
    view = drive(view, { agent: failNew('bad:2') });
    let svc = serviceOf(view, 'web');
    assert.equal(svc.updateStatus?.state, 'rollback_started');
    assert.match(svc.updateStatus?.message ?? '', /^update rolled back: task web\.\d\.\S+ failed/);
    assert.equal(svc.spec.image, 'app:1');
    assert.equal(svc.previousSpec?.image, 'bad:2');
    assert.equal(svc.specVersion, 3);
    assert.equal(svc.updateStatus?.targetSpecVersion, 3);
    view = drive(view, { agent: failNew('bad:2') });
    svc = serviceOf(view, 'web');
    assert.equal(svc.updateStatus?.state, 'rollback_completed');
    assert.deepEqual(image(view), Array(4).fill('app:1'));
    // Slots the update never reached kept their tasks.
    for (const id of untouched) assert.ok(liveTasks(view, 'web').some((t) => t.id === id));
  });

  void test('a failing rollback pauses as rollback_paused', () => {
    const spec = { image: 'bad:1', replicas: 2, updateConfig: { failureAction: 'rollback' as const }, rollbackConfig: { failureAction: 'rollback' as const } };
    let view = makeView({ services: [makeService('web', spec)], nodes });
    // The old version already fails: rolling back to it fails too.
    view = startUpdate(view, { image: 'bad:2' });
    const failAll: AgentBehaviour = { onStart: () => 'failed' };
    view = drive(view, { agent: failAll });
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'rollback_started');
    view = drive(view, { agent: failAll });
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'rollback_paused');
  });

  void test('failure action continue keeps going', () => {
    const spec = { image: 'app:1', replicas: 3, updateConfig: { failureAction: 'continue' as const, monitorMs: 0 }, restartPolicy: { delayMs: 0 } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    let failed = false;
    view = drive(view, {
      agent: {
        onStart: (t) => {
          if (t.spec.image !== 'app:2' || failed) return undefined;
          failed = true;
          return 'failed';
        },
      },
    });
    assert.ok(failed);
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
    assert.deepEqual(image(view), Array(3).fill('app:2'));
  });

  void test('failures up to maxFailureRatio are tolerated', () => {
    const spec = { image: 'app:1', replicas: 4, updateConfig: { parallelism: 0, maxFailureRatio: 0.3, monitorMs: 0 }, restartPolicy: { delayMs: 0 } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    let failures = 0;
    view = drive(view, {
      agent: { onStart: (t) => (t.spec.image === 'app:2' && t.slot === 1 && failures++ === 0 ? 'failed' : undefined) },
    });
    assert.equal(failures, 2, 'one failure, then the restart ran');
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
  });

  void test('a task restarted during the update is made from the new spec and not replaced again', () => {
    const spec = { image: 'app:1', replicas: 3, updateConfig: { parallelism: 1, monitorMs: 0 }, restartPolicy: { delayMs: 0 } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    let crashed = false;
    view = drive(view, {
      agent: {
        crash: (t) => {
          if (crashed || t.slot !== 3 || t.spec.image !== 'app:1') return false;
          crashed = true;
          return true;
        },
      },
    });
    assert.ok(crashed);
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
    const slot3New = view.tasks.filter((t) => t.slot === 3 && t.spec.image === 'app:2');
    assert.equal(slot3New.length, 1, 'one new-version task in slot 3: the restart');
    assert.ok(slot3New[0]?.restartOf);
  });

  void test('scaling during an update works, and a scale alone replaces nothing', () => {
    const spec = { image: 'app:1', replicas: 2, updateConfig: { parallelism: 1, monitorMs: 0 } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    view = round(view);
    view = startUpdate(view, { replicas: 4 });
    view = drive(view);
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
    assert.deepEqual(image(view), Array(4).fill('app:2'));

    const ids = liveTasks(view, 'web').map((t) => t.id).sort();
    view = startUpdate(view, { replicas: 3 });
    view = drive(view);
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
    assert.equal(liveTasks(view, 'web').length, 3);
    assert.ok(liveTasks(view, 'web').every((t) => ids.includes(t.id)), 'no task was replaced by the scale');
  });

  void test('global services update node by node', () => {
    const spec = { image: 'app:1', mode: 'global' as const, updateConfig: { parallelism: 1, monitorMs: 0 } };
    let view = makeView({ services: [makeService('web', spec)], nodes });
    for (let i = 0; i < 3; i++) view = round(view);
    view = startUpdate(view, { image: 'app:2' });
    let worst = 0;
    view = drive(view, {
      each: (v) => (worst = Math.max(worst, 3 - v.tasks.filter((t) => t.status.state === 'running').length)),
    });
    assert.equal(worst, 1);
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
    assert.deepEqual(image(view), Array(3).fill('app:2'));
    assert.deepEqual(liveTasks(view, 'web').map((t) => t.nodeId).sort(), ['n1', 'n2', 'n3']);
  });

  void test('an update with nothing to change completes at once', () => {
    let view = startUpdate(deployed({ image: 'app:1', replicas: 2 }), { updateConfig: { parallelism: 3 } });
    view = round(view);
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
    assert.equal(view.now, T0 + 4000);
  });
});
