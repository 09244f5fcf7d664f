import { z } from 'zod';
import type { AgentMessage } from '../../api/agent-protocol.js';
import { taskStates } from '../../api/task-state.js';

const taskAddress = z.object({ network: z.string().min(1).max(200), ip: z.ipv4() });

/**
 * A task's addresses: an entry that is not a network name with a dotted-quad IPv4 is dropped
 * rather than refusing the message, which also carries the task's state and other tasks'.
 */
const taskAddresses = z
  .array(z.unknown())
  .max(64)
  .transform((list) => list.flatMap((a) => {
    const parsed = taskAddress.safeParse(a);
    return parsed.success ? [parsed.data] : [];
  }));

/** Agents are remote peers: everything they send is validated before it touches the store. */
const statusUpdate = z.object({
  taskId: z.string().min(1).max(100),
  status: z.object({
    state: z.enum(taskStates),
    message: z.string().max(4000),
    timestamp: z.string().max(100),
    error: z.string().max(4000).optional(),
    containerId: z.string().max(200).optional(),
    exitCode: z.number().int().optional(),
    health: z.enum(['starting', 'healthy', 'unhealthy']).optional(),
    addresses: taskAddresses.optional(),
  }),
});

const portNumber = z.number().int().min(1).max(65535);

const logLine = z.object({ stream: z.enum(['stdout', 'stderr']), time: z.string().max(100), text: z.string().max(65536) });

export const agentMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    hostname: z.string().min(1).max(253),
    resources: z.object({ nanoCpus: z.number().int().min(0), memoryBytes: z.number().int().min(0) }),
    engine: z.object({ version: z.string().max(100), os: z.string().max(100), arch: z.string().max(100) }),
    tasks: z.array(statusUpdate).max(100000),
    networking: z.boolean().optional(),
  }),
  z.object({ type: z.literal('heartbeat') }),
  z.object({ type: z.literal('status'), updates: z.array(statusUpdate).max(100000) }),
  z.object({
    type: z.literal('ingress'),
    ports: z.array(z.object({ protocol: z.enum(['tcp', 'udp']), port: portNumber, backends: z.array(z.ipv4()).max(10000) })).max(10000),
    errors: z.array(z.object({ protocol: z.enum(['tcp', 'udp']), port: portNumber, message: z.string().max(4000) })).max(10000),
  }),
  z.object({ type: z.literal('logs.chunk'), requestId: z.string().max(100), lines: z.array(logLine).max(10000) }),
  z.object({ type: z.literal('logs.end'), requestId: z.string().max(100), error: z.string().max(4000).optional() }),
]);

export function parseAgentMessage(raw: string): AgentMessage | undefined {
  try {
    const result = agentMessageSchema.safeParse(JSON.parse(raw));
    return result.success ? (result.data) : undefined;
  } catch {
    return undefined;
  }
}
