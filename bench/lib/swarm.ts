import Docker from 'dockerode';
import { onCleanup, throwIfInterrupted } from './cleanup.js';
import { pollUntil } from './poll.js';

/** What the Engine API returns for a swarm task (only the fields the benchmarks read). */
export interface SwarmTask {
  ID: string;
  DesiredState: string;
  Status: { State: string; Timestamp?: string };
  Spec: { ContainerSpec?: { Image?: string } };
}

interface SwarmServiceInspect {
  ID: string;
  Version: { Index: number };
  Spec: Docker.ServiceSpec;
  UpdateStatus?: { State?: string };
}

/** Swarm task states from `assigned` on: the manager has picked a node. */
const assignedOrLater = new Set(['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running']);
export const isSwarmAssigned = (t: SwarmTask): boolean => assignedOrLater.has(t.Status.State);

/**
 * Docker Swarm mode on the machine's engine. `init()` creates a single-node swarm only when the
 * engine is not in one; `close()` leaves only a swarm it created. A swarm that was already
 * there is used as it is and left alone.
 */
export class SwarmBench {
  readonly docker = new Docker();
  private created = false;
  /** `swarm init` creates the docker_gwbridge network and `swarm leave` keeps it: ours to remove. */
  private gwbridgeWasThere = true;
  private undoSwarm: (() => Promise<void>) | undefined;

  async init(): Promise<void> {
    const info = (await this.docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    const state = info.Swarm?.LocalNodeState ?? 'inactive';
    if (state === 'active') {
      if (!info.Swarm?.ControlAvailable) throw new Error('the engine is a swarm worker, not a manager: cannot create services');
      console.log('bench: the engine is already in a swarm: using it (and not leaving it at the end)');
      return;
    }
    if (state !== 'inactive') throw new Error(`the engine's swarm state is "${state}": not touching it`);
    throwIfInterrupted();
    this.gwbridgeWasThere = (await this.docker.listNetworks({ filters: { name: ['docker_gwbridge'] } })).some((n) => n.Name === 'docker_gwbridge');
    await this.docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
    this.created = true;
    this.undoSwarm = onCleanup('the swarm this bench created', () => this.leave());
    console.log('bench: created a single-node swarm (docker swarm init --advertise-addr 127.0.0.1)');
  }

  async close(): Promise<void> {
    await this.undoSwarm?.();
    this.undoSwarm = undefined;
  }

  private async leave(): Promise<void> {
    if (!this.created) return;
    await this.docker.swarmLeave({ force: true });
    this.created = false;
    if (!this.gwbridgeWasThere) {
      await this.docker
        .getNetwork('docker_gwbridge')
        .remove()
        .catch((err: unknown) => console.error(`bench: could not remove docker_gwbridge: ${err instanceof Error ? err.message : String(err)}`));
    }
    console.log('bench: left the swarm it created (docker swarm leave --force)');
  }

  /**
   * `docker service create --detach --replicas N --stop-signal KILL --name NAME IMAGE` (plus
   * update flags), through the Engine API as the CLI does it; the API call is made from this
   * process so neither side pays for spawning a CLI.
   */
  async createService(name: string, image: string, replicas: number, update?: { parallelism: number }): Promise<void> {
    throwIfInterrupted();
    await this.docker.createService({
      Name: name,
      TaskTemplate: { ContainerSpec: { Image: image, StopSignal: 'KILL' } },
      Mode: { Replicated: { Replicas: replicas } },
      ...(update
        ? { UpdateConfig: { Parallelism: update.parallelism, Delay: 0, Monitor: 0, FailureAction: 'pause', Order: 'stop-first', MaxFailureRatio: 0 } }
        : {}),
    });
  }

  async inspect(name: string): Promise<SwarmServiceInspect> {
    return (await this.docker.getService(name).inspect()) as SwarmServiceInspect;
  }

  /** `docker service update --image IMAGE NAME`. */
  async updateImage(name: string, image: string): Promise<void> {
    const current = await this.inspect(name);
    const spec = structuredClone(current.Spec);
    const template = spec.TaskTemplate as Docker.ContainerTaskSpec;
    template.ContainerSpec = { ...template.ContainerSpec, Image: image };
    await this.docker.getService(current.ID).update({ version: current.Version.Index, ...spec });
  }

  /** Tasks the swarm wants running (`docker service ps --filter desired-state=running`). */
  async liveTasks(name: string): Promise<SwarmTask[]> {
    return (await this.docker.listTasks({ filters: { service: [name], 'desired-state': ['running'] } })) as SwarmTask[];
  }

  /** `docker service rm`, then waits until the service's containers are gone from the engine. */
  async removeService(name: string): Promise<void> {
    await this.docker
      .getService(name)
      .remove()
      .catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      });
    await pollUntil(`the containers of swarm service ${name} to be gone`, async () => {
      const left = await this.docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${name}`] } });
      return left.length === 0 ? true : undefined;
    }, { everyMs: 100, timeoutMs: 120_000 });
  }
}
