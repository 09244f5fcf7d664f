import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limits } from '../../api/limits.js';
import type { ServiceObject } from '../../api/objects.js';
import { schedule } from '../scheduler/schedule.js';
import { makeNode, makeService, makeTask, makeView, T0 } from './fixtures.test-util.js';
import { reconcile } from './reconcile.js';
import { screenUnholdable, storedServiceProblem, withRefusalMarks } from './unholdable.js';

/** A service as a store may hold it, bypassing the schema (written by hand or before the limits). */
const stored = (id: string, change: (spec: Record<string, unknown>) => void): ServiceObject => {
  const s = makeService(id, { image: 'app:1', replicas: 2 });
  const spec = { ...s.spec } as Record<string, unknown>;
  change(spec);
  return { ...s, spec: spec as unknown as ServiceObject['spec'] };
};

test('stored services beyond the hard limits are named with the field; those within, or stored under looser older rules, are held', () => {
  assert.match(storedServiceProblem(stored('a', (s) => (s.replicas = 1e9))) ?? '', /^spec\.replicas: 1000000000 is not a whole number from 0 to 10000/);
  assert.match(storedServiceProblem(stored('a', (s) => (s.replicas = 2.5))) ?? '', /^spec\.replicas/);
  assert.match(storedServiceProblem(stored('a', (s) => (s.replicas = '3'))) ?? '', /^spec\.replicas/);
  assert.match(storedServiceProblem(stored('a', (s) => (s.mode = 'daemon'))) ?? '', /^spec\.mode/);
  assert.match(storedServiceProblem(stored('a', (s) => (s.ports = Array.from({ length: limits.ports + 1 }, () => ({ target: 80 }))))) ?? '', /^spec\.ports: more than 100/);
  assert.match(storedServiceProblem(stored('a', (s) => (s.restartPolicy = { delayMs: 1e15 }))) ?? '', /^spec\.restartPolicy\.delayMs/);
  assert.match(storedServiceProblem(stored('a', (s) => (s.env = null))) ?? '', /^spec\.env/);
  assert.equal(storedServiceProblem(stored('a', (s) => (s.replicas = limits.replicasPerService))), undefined);
  assert.equal(storedServiceProblem(stored('a', (s) => (s.image = 'Upper Case\nimage'))), undefined, 'not a danger to the manager: left to the engine');
  assert.equal(storedServiceProblem(stored('a', (s) => ((s.mode = 'global'), (s.replicas = 1e9)))), undefined, 'a global service has no replicas to count');
});

test('a refused service and its tasks are out of every step; its tasks are left as they are; the others reconcile and schedule', () => {
  const bad = stored('bad', (s) => (s.replicas = 1e9));
  const dependent = makeService('dep', { image: 'app:1', replicas: 1, dependsOn: [{ service: 'bad' }] });
  const good = makeService('good', { image: 'app:1', replicas: 2 });
  const running = makeTask(bad, { slot: 1, nodeId: 'n1' });
  const view = makeView({ services: [bad, dependent, good], tasks: [running], nodes: [makeNode('n1')] });
  const screened = screenUnholdable(view);
  assert.deepEqual(screened.refused.map((r) => r.service.id), ['bad']);
  assert.deepEqual(screened.view.tasks, []);
  const plan = reconcile(screened.view);
  assert.deepEqual(plan.createTasks.map((t) => t.serviceId).sort(), ['dep', 'good', 'good']);
  assert.ok(![...plan.updateTasks, ...plan.deleteTasks].some((t) => t.id === running.id), 'the refused service\'s running task is left alone');
  // The scheduler's dependency gate would otherwise count the slots of a billion replicas.
  const scheduled = schedule({ ...screened.view, tasks: plan.createTasks });
  assert.equal(scheduled.updateTasks.filter((t) => t.serviceId === 'good' && t.nodeId === 'n1').length, 2);

  const marked = withRefusalMarks(plan, screened, T0);
  const mark = marked.updateServices.find((s) => s.id === 'bad');
  assert.ok(mark?.refused);
  assert.match(mark.refused.reason, /spec\.replicas: 1000000000/);
  assert.equal(mark.version, bad.version, 'written with the version read, so a concurrent fix wins');
  // Marked once: a pass over the marked service writes nothing more.
  const again = screenUnholdable(makeView({ services: [mark, good], tasks: [] }));
  assert.equal(withRefusalMarks(reconcile(again.view), again, T0 + 1000).updateServices.some((s) => s.id === 'bad'), false);
});

test('once within the limits again (service scale), the mark is cleared and the service reconciles', () => {
  const fixed: ServiceObject = { ...makeService('bad', { image: 'app:1', replicas: 3 }), refused: { reason: 'spec.replicas: 1000000000 ...', since: new Date(T0).toISOString() } };
  const screened = screenUnholdable(makeView({ services: [fixed] }));
  assert.equal(screened.refused.length, 0);
  const plan = withRefusalMarks(reconcile(screened.view), screened, T0);
  assert.equal(plan.createTasks.length, 3);
  const cleared = plan.updateServices.find((s) => s.id === 'bad');
  assert.ok(cleared && !('refused' in cleared));
});
