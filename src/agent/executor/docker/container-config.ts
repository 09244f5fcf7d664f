import type Dockerode from 'dockerode';
import { taskName, type TaskObject } from '../../../api/objects.js';
import type { HealthcheckSpec, MountSpec, PortSpec } from '../../../api/service-spec.js';
import { commandLine } from '../../exec/command-line.js';
import { shoalLabels, type ContainerNetworking, type TaskFileMount } from '../../exec/executor.js';

/** The labels that tie a container (and volumes it creates) to its task. */
export function taskLabels(task: TaskObject, nodeId: string, scope: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = {
    ...task.spec.containerLabels,
    ...scope,
    [shoalLabels.taskId]: task.id,
    [shoalLabels.serviceId]: task.serviceId,
    [shoalLabels.serviceName]: task.serviceName,
    [shoalLabels.env]: task.env,
    [shoalLabels.node]: nodeId,
  };
  if (task.slot !== undefined) labels[shoalLabels.slot] = String(task.slot);
  return labels;
}

/** Translates a task's spec into the engine's create-container body. */
export function containerConfig(
  task: TaskObject,
  nodeId: string,
  scope: Record<string, string>,
  files: TaskFileMount[] = [],
  networking?: ContainerNetworking,
): Dockerode.ContainerCreateOptions {
  const spec = task.spec;
  const labels = taskLabels(task, nodeId, scope);
  const config: Dockerode.ContainerCreateOptions = {
    name: taskName(task),
    Image: spec.image,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    ExposedPorts: exposedPorts(spec.ports ?? []),
    HostConfig: {
      // Ingress ports are the agent's ingress proxy's to answer on every node; only host-mode
      // ports bind on the node of the task. Without Shoal networking every port binds here.
      PortBindings: portBindings((spec.ports ?? []).filter((p) => !networking || p.mode === 'host')),
      Mounts: [
        ...(spec.mounts ?? []).map((m) => mount(m, task, scope)),
        // Secret and config files: always read-only, whatever the file's own mode says.
        ...files.map((f): Dockerode.MountSettings => ({ Type: 'bind', Source: f.hostPath, Target: f.target, ReadOnly: true })),
        // The engine leaves /etc/resolv.conf alone when something is mounted there.
        ...(networking?.resolvConf !== undefined ? [{ Type: 'bind' as const, Source: networking.resolvConf, Target: '/etc/resolv.conf', ReadOnly: true }] : []),
      ],
      // Shoal restarts by creating a new task; the engine must never restart on its own.
      RestartPolicy: { Name: 'no' },
      Init: spec.init ?? false,
    },
  };
  const primary = networking?.networks[0];
  if (primary && config.HostConfig) {
    // The engine's API 1.41 takes one network at create; the others are connected before start.
    config.HostConfig.NetworkMode = primary.name;
    config.NetworkingConfig = { EndpointsConfig: { [primary.name]: { Aliases: primary.aliases } } };
  }
  const { entrypoint, cmd } = commandLine(spec);
  if (entrypoint !== undefined) config.Entrypoint = entrypoint;
  if (cmd !== undefined) config.Cmd = cmd;
  if (spec.healthcheck) config.Healthcheck = healthcheck(spec.healthcheck);
  if (spec.workdir !== undefined) config.WorkingDir = spec.workdir;
  if (spec.user !== undefined) config.User = spec.user;
  if (spec.hostname !== undefined) config.Hostname = spec.hostname;
  if (spec.stopSignal !== undefined) config.StopSignal = normalizeSignal(spec.stopSignal);
  const limits = spec.resources?.limits;
  if (limits && config.HostConfig) {
    if (limits.nanoCpus > 0) config.HostConfig.NanoCpus = limits.nanoCpus;
    if (limits.memoryBytes > 0) config.HostConfig.Memory = limits.memoryBytes;
  }
  return config;
}

const nanos = (ms: number): number => ms * 1_000_000;

/** Docker's Healthcheck; ["NONE"] turns off the image's own check. */
export function healthcheck(h: HealthcheckSpec): Dockerode.HealthConfig {
  if (h.test[0] === 'NONE') return { Test: ['NONE'] };
  // 0 means "the engine's default" for each duration, as in Docker.
  return {
    Test: h.test,
    Interval: nanos(h.intervalMs),
    Timeout: nanos(h.timeoutMs),
    StartPeriod: nanos(h.startPeriodMs),
    Retries: h.retries,
  };
}

/** "TERM" and "SIGTERM" both name a signal; the engine accepts either, tests compare one form. */
export function normalizeSignal(signal: string): string {
  return /^\d+$/.test(signal) || signal.startsWith('SIG') ? signal : `SIG${signal}`;
}

const portKey = (p: PortSpec): string => `${p.target}/${p.protocol ?? 'tcp'}`;

function exposedPorts(ports: PortSpec[]): Record<string, object> {
  const out: Record<string, object> = {};
  for (const p of ports) out[portKey(p)] = {};
  return out;
}

/**
 * A port without `published` gets a host port the engine picks (HostPort ""), as
 * `docker run -p 80` and Swarm's host-mode publishing do: the service is reachable, and the
 * scheduler, which only reserves explicit published ports, never sees a conflict.
 */
function portBindings(ports: PortSpec[]): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of ports) {
    const hostPort = p.published === undefined ? '' : String(p.published);
    (out[portKey(p)] ??= []).push({ HostIp: '0.0.0.0', HostPort: hostPort });
  }
  return out;
}

function mount(m: MountSpec, task: TaskObject, scope: Record<string, string>): Dockerode.MountSettings {
  const readOnly = m.readOnly ?? false;
  switch (m.type) {
    case 'bind':
      return { Type: 'bind', Source: m.source ?? '', Target: m.target, ReadOnly: readOnly };
    case 'tmpfs':
      return { Type: 'tmpfs', Source: '', Target: m.target, ReadOnly: readOnly };
    default:
      return {
        Type: 'volume',
        Source: m.source ?? '',
        Target: m.target,
        ReadOnly: readOnly,
        // Labels apply only when the engine creates the volume, marking it as Shoal's own.
        VolumeOptions: {
          NoCopy: false,
          Labels: { ...scope, [shoalLabels.env]: task.env, [shoalLabels.serviceName]: task.serviceName },
          DriverConfig: { Name: 'local', Options: {} },
        },
      };
  }
}
