import type { ServiceObject, TaskObject } from '../../api/objects.js';
import { groupBy } from '../orchestrator/task-index.js';

/**
 * Services by name within their environment, and the desired-running tasks of each: what
 * dependency and co-location rules, which name other services, are resolved against. Names
 * never resolve across environments, so one environment's rules cannot see another's services.
 */
export class ServiceDirectory {
  private readonly byName = new Map<string, ServiceObject>();
  private readonly live: Map<string, TaskObject[]>;
  /** env → services whose `placement.avoid` names the key's service, by the avoided name. */
  private readonly avoidedBy = new Map<string, ServiceObject[]>();

  constructor(services: readonly ServiceObject[], tasks: readonly TaskObject[]) {
    for (const s of services) {
      this.byName.set(key(s.env, s.name), s);
      for (const name of s.spec.placement.avoid) push(this.avoidedBy, key(s.env, name), s);
    }
    this.live = groupBy(tasks.filter((t) => t.desiredState === 'running'), (t) => t.serviceId);
  }

  find(env: string, name: string): ServiceObject | undefined {
    return this.byName.get(key(env, name));
  }

  /** Tasks that should run (whatever state they are in), the slot holders of the service. */
  liveTasks(serviceId: string): readonly TaskObject[] {
    return this.live.get(serviceId) ?? [];
  }

  /** Services of the environment that want to keep away from the named one. */
  avoiding(env: string, name: string): readonly ServiceObject[] {
    return this.avoidedBy.get(key(env, name)) ?? [];
  }
}

const key = (env: string, name: string): string => `${env}\u0000${name}`;

function push<T>(map: Map<string, T[]>, k: string, value: T): void {
  const list = map.get(k);
  if (list) list.push(value);
  else map.set(k, [value]);
}
