/** Synthetic cluster views for the scheduler micro-benchmark: no store, no Docker. */
import type { NodeObject, ServiceObject, TaskObject } from '../../src/api/objects.js';
import { serviceSpecSchema } from '../../src/api/service-spec.js';
import type { TaskState } from '../../src/api/task-state.js';
import { iso } from '../../src/lib/clock.js';
import type { ClusterView } from '../../src/manager/orchestrator/view.js';

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const at = iso(T0);

export function counterIds(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(7, '0')}`;
}

export function makeNodes(count: number): NodeObject[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `node${String(i).padStart(5, '0')}`,
    env: 'default',
    version: 1,
    createdAt: at,
    updatedAt: at,
    hostname: `host-${i}`,
    role: 'worker',
    availability: 'active',
    labels: { zone: `z${i % 3}` },
    status: { state: 'ready', message: '', address: `10.0.${Math.floor(i / 250)}.${i % 250}`, timestamp: at },
    resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
    engine: { version: '20.10', os: 'linux', arch: 'x86_64' },
  }));
}

/** `count` services sharing `totalReplicas` between them, with a small reservation each. */
export function makeServices(count: number, totalReplicas: number): ServiceObject[] {
  return Array.from({ length: count }, (_, i) => {
    const replicas = Math.floor(totalReplicas / count) + (i < totalReplicas % count ? 1 : 0);
    return {
      id: `svc${String(i).padStart(3, '0')}`,
      env: 'default',
      version: 1,
      createdAt: at,
      updatedAt: at,
      name: `svc-${i}`,
      specVersion: 1,
      spec: serviceSpecSchema.parse({
        image: 'bench/fake:1',
        replicas,
        resources: { reservations: { nanoCpus: 1e6, memoryBytes: 2 ** 20 } },
      }),
    };
  });
}

/**
 * One task per slot of every service. `pending` tasks have no node; `running` ones are spread
 * round-robin over the nodes, as the scheduler would have placed them.
 */
export function makeTasks(services: ServiceObject[], nodes: NodeObject[], state: Extract<TaskState, 'pending' | 'running'>): TaskObject[] {
  const tasks: TaskObject[] = [];
  let n = 0;
  for (const s of services) {
    const replicas = s.spec.mode === 'replicated' ? s.spec.replicas : 0;
    for (let slot = 1; slot <= replicas; slot++) {
      const node = nodes[n % nodes.length];
      const created = iso(T0 + n);
      n++;
      tasks.push({
        id: `task${String(n).padStart(7, '0')}`,
        env: 'default',
        version: 1,
        createdAt: created,
        updatedAt: created,
        serviceId: s.id,
        serviceName: s.name,
        slot,
        specVersion: s.specVersion,
        spec: s.spec,
        desiredState: 'running',
        status: state === 'running' ? { state, message: 'started', timestamp: created, runningSince: created } : { state, message: 'created', timestamp: created },
        ...(state === 'running' && node ? { nodeId: node.id } : {}),
      });
    }
  }
  return tasks;
}

export function makeView(parts: { services: ServiceObject[]; nodes: NodeObject[]; tasks: TaskObject[] }): ClusterView {
  return { ...parts, now: T0 + 60_000, newId: counterIds('new') };
}
