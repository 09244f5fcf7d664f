// Shared builders for the CLI's tests (named *.test.ts so the build leaves it out).
import { serviceSpecSchema, type ServiceSpecInput } from '../api/service-spec.js';
import type { TaskObject, UpdateStatus } from '../api/objects.js';
import type { TaskState } from '../api/task-state.js';
import type { ServiceView } from '../client/types.js';
import type { CliIo } from './io.js';

export function makeService(over: Partial<ServiceView> = {}, spec: ServiceSpecInput = { image: 'nginx:1.25', replicas: 3 }): ServiceView {
  return {
    id: 'svc1234567890abcdef',
    env: 'default',
    version: 1,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    name: 'web',
    spec: serviceSpecSchema.parse(spec),
    specVersion: 1,
    replicas: { running: 0, desired: 3 },
    ...over,
  };
}

let counter = 0;
export function makeTask(slot: number | undefined, state: TaskState, over: Partial<TaskObject> = {}): TaskObject {
  counter++;
  return {
    id: `task${String(counter).padStart(8, '0')}xyz`,
    env: 'default',
    version: 1,
    createdAt: `2024-01-01T00:00:${String(counter % 60).padStart(2, '0')}.000Z`,
    updatedAt: '2024-01-01T00:00:00.000Z',
    serviceId: 'svc1234567890abcdef',
    serviceName: 'web',
    ...(slot !== undefined ? { slot } : {}),
    nodeId: 'node1',
    specVersion: 1,
    spec: serviceSpecSchema.parse({ image: 'nginx:1.25' }),
    desiredState: 'running',
    status: { state, message: state, timestamp: '2024-01-01T00:00:00.000Z' },
    ...over,
  };
}

export const updateStatus = (state: UpdateStatus['state'], over: Partial<UpdateStatus> = {}): UpdateStatus => ({
  state,
  startedAt: '2024-01-01T00:00:00.000Z',
  message: `${state} message`,
  targetSpecVersion: 1,
  ...over,
});

export interface CapturedIo extends CliIo {
  stdout: string[];
  stderr: string[];
}

export function captureIo(over: Partial<CliIo> = {}): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (s) => void stdout.push(s),
    err: (s) => void stderr.push(s),
    isTTY: false,
    env: {},
    homeDir: '/nonexistent-home',
    interrupt: new AbortController().signal,
    now: () => Date.parse('2024-01-01T00:00:10.000Z'),
    sleep: () => new Promise((r) => setTimeout(r, 1)),
    ...over,
  };
}
