import { z } from 'zod';
import { boundedArray, boundedLine, boundedRecord, boundedText, labelMapSchema } from './bounded.js';
import { parseConstraint } from './constraint.js';
import { imageReferenceProblem } from './image-reference.js';
import { limits } from './limits.js';
import { absolutePathProblem, volumeNameProblem } from './mount-paths.js';

/** Validation of everything a client may send for a service. Durations are milliseconds. */

export const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
export const nameSchema = z
  .string()
  .regex(namePattern, 'must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit');

const nonNegInt = z.number().int('must be an integer').min(0, 'must not be negative');
/** A count with a hard ceiling (limits.ts), named in the refusal. */
const count = (max: number): z.ZodNumber => nonNegInt.max(max, `must be at most ${max} (a hard limit)`);
const durationMs = nonNegInt.max(limits.durationMs, `must be at most ${limits.durationMs} ms (7 days)`);
export const replicasSchema = count(limits.replicasPerService);
const port = z.number().int('must be an integer').min(1, 'must be 1-65535').max(65535, 'must be 1-65535');

export const portSchema = z.strictObject({
  target: port,
  published: port.optional(),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  /**
   * ingress: answered on every node of the environment; host: only where a task runs. Default,
   * as in Swarm: ingress for a published port, host (the engine picks the port) otherwise.
   */
  mode: z.enum(['host', 'ingress']).optional(),
}).transform((p) => ({ ...p, mode: p.mode ?? (p.published === undefined ? ('host' as const) : ('ingress' as const)) }));
export type PortSpec = z.infer<typeof portSchema>;

export const mountSchema = z
  .strictObject({
    type: z.enum(['bind', 'volume', 'tmpfs']).default('volume'),
    source: z.string().max(limits.pathLength, `must be at most ${limits.pathLength} characters`).optional(),
    target: boundedLine(limits.pathLength).startsWith('/', 'must be an absolute path'),
    readOnly: z.boolean().default(false),
  })
  .superRefine((m, ctx) => {
    if (m.type === 'bind' && (!m.source || !m.source.startsWith('/'))) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: 'a bind mount needs an absolute source path' });
    }
    const sourceProblem = m.source === undefined ? undefined : m.type === 'bind' ? absolutePathProblem(m.source) : m.type === 'volume' ? volumeNameProblem(m.source) : undefined;
    if (sourceProblem) ctx.addIssue({ code: 'custom', path: ['source'], message: sourceProblem });
    if (m.type === 'tmpfs' && m.source) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: 'a tmpfs mount takes no source' });
    }
  });
export type MountSpec = z.infer<typeof mountSchema>;

const resourceAmounts = z.strictObject({
  nanoCpus: nonNegInt.default(0),
  memoryBytes: nonNegInt.default(0),
});
export const resourcesSchema = z.strictObject({
  limits: resourceAmounts.default({ nanoCpus: 0, memoryBytes: 0 }),
  reservations: resourceAmounts.default({ nanoCpus: 0, memoryBytes: 0 }),
});
export type Resources = z.infer<typeof resourcesSchema>;

export const restartPolicySchema = z.strictObject({
  condition: z.enum(['any', 'on-failure', 'none']).default('any'),
  delayMs: durationMs.default(5000),
  /** 0 means no limit. */
  maxAttempts: count(limits.restartAttempts).default(0),
  /** 0 means attempts are counted over the whole life of the slot. */
  windowMs: durationMs.default(0),
});
export type RestartPolicy = z.infer<typeof restartPolicySchema>;

export const updateConfigSchema = z.strictObject({
  /** Tasks replaced at once; 0 means all at once. */
  parallelism: count(limits.replicasPerService).default(1),
  delayMs: durationMs.default(0),
  order: z.enum(['stop-first', 'start-first']).default('stop-first'),
  monitorMs: durationMs.default(5000),
  failureAction: z.enum(['pause', 'rollback', 'continue']).default('pause'),
  maxFailureRatio: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0),
});
export type UpdateConfig = z.infer<typeof updateConfigSchema>;

const constraintText = boundedLine(limits.shortTextLength * 4).superRefine((text, ctx) => {
  const parsed = parseConstraint(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

export const placementSchema = z.strictObject({
  constraints: boundedArray(constraintText, limits.constraints).default([]),
  preferences: boundedArray(
    z.strictObject({ spread: z.string().max(limits.labelKeyLength + 12).regex(/^node\.labels\.[A-Za-z0-9_.\-/]+$/, 'must be node.labels.KEY') }),
    limits.preferences,
  ).default([]),
  /** 0 means no limit. */
  maxReplicasPerNode: count(limits.replicasPerService).default(0),
  /** Services (same environment) whose running tasks this one's must share a node with, as fleet's MachineOf. */
  colocateWith: boundedArray(nameSchema, limits.serviceRefs).default([]),
  /** Services (same environment) whose tasks this one's must never share a node with. */
  avoid: boundedArray(nameSchema, limits.serviceRefs).default([]),
});
export type Placement = z.infer<typeof placementSchema>;

/**
 * A container health check, passed to the engine as Docker's Healthcheck. `test` is Docker's
 * form: ["CMD", exe, args...], ["CMD-SHELL", "command line"] or ["NONE"] (disables the image's).
 */
export const healthcheckSchema = z.strictObject({
  test: boundedArray(boundedText(), limits.argvEntries)
    .min(1, 'must not be empty')
    .refine((t) => ['CMD', 'CMD-SHELL', 'NONE'].includes(t[0] ?? ''), 'must start with "CMD", "CMD-SHELL" or "NONE"'),
  intervalMs: durationMs.default(30000),
  timeoutMs: durationMs.default(30000),
  retries: count(limits.healthRetries).default(3),
  startPeriodMs: durationMs.default(0),
});
export type HealthcheckSpec = z.infer<typeof healthcheckSchema>;

/**
 * A secret or config given to the container as a read-only file. `source` names the secret or
 * config in the service's environment; `target` is a file name (under /run/secrets/ for
 * secrets, / for configs) or an absolute path. The manager pins `version` when it creates tasks.
 */
export const fileReferenceSchema = z.strictObject({
  source: nameSchema,
  target: boundedLine(limits.pathLength).min(1, 'must not be empty').optional(),
  uid: z.string().regex(/^\d+$/, 'must be a numeric id').optional(),
  gid: z.string().regex(/^\d+$/, 'must be a numeric id').optional(),
  mode: z.number().int('must be an integer').min(0).max(0o777, 'must be a file mode such as 0444 (292)').default(0o444),
});
export type FileReference = z.infer<typeof fileReferenceSchema>;

/** compose's depends_on conditions: started, healthy, or completed successfully (exit 0). */
export const dependencySchema = z.strictObject({
  service: nameSchema,
  condition: z.enum(['started', 'healthy', 'completed']).default('started'),
});
export type DependencySpec = z.infer<typeof dependencySchema>;

/**
 * A name a service answers to on a network, besides its own: a DNS name (dot-separated labels
 * of letters, digits, "-" and "_"), as compose `aliases` are.
 */
const aliasSchema = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(/^[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*$/, 'must be a DNS name: labels of letters, digits, "-" or "_", separated by "."');

/** A network the service's tasks join: `target` names a network of the service's environment. */
export const networkAttachmentSchema = z.strictObject({
  target: nameSchema,
  aliases: boundedArray(aliasSchema, limits.aliasesPerNetwork).default([]),
});
export type NetworkAttachment = z.infer<typeof networkAttachmentSchema>;

const envKey = boundedLine(limits.shortTextLength).regex(/^[^=\s]+$/, 'must be a variable name without "=" or spaces');
const labelMap = labelMapSchema;
const argv = boundedArray(boundedText(), limits.argvEntries);

export const serviceSpecSchema = z.strictObject({
  image: z.string().trim().superRefine((image, ctx) => {
    const problem = imageReferenceProblem(image);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  mode: z.enum(['replicated', 'global']).default('replicated'),
  replicas: replicasSchema.default(1),
  /** Replaces the image's entrypoint (compose `entrypoint`). */
  entrypoint: argv.optional(),
  command: argv.optional(),
  args: argv.optional(),
  env: boundedRecord(envKey, boundedText(), limits.envEntries).default({}),
  /**
   * Env entries whose values no view shows (`[redacted]`), besides those named like credentials
   * (see hidden-env.ts). A stack deploy lists the ones a credential variable went into.
   */
  secretEnv: boundedArray(envKey, limits.envEntries).optional(),
  workdir: boundedLine(limits.pathLength).optional(),
  user: boundedLine().optional(),
  hostname: boundedLine().optional(),
  labels: labelMap.default({}),
  containerLabels: labelMap.default({}),
  ports: boundedArray(portSchema, limits.ports).default([]),
  mounts: boundedArray(mountSchema, limits.mounts).default([]),
  resources: resourcesSchema.default({
    limits: { nanoCpus: 0, memoryBytes: 0 },
    reservations: { nanoCpus: 0, memoryBytes: 0 },
  }),
  restartPolicy: restartPolicySchema.default({ condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 }),
  placement: placementSchema.default({ constraints: [], preferences: [], maxReplicasPerNode: 0, colocateWith: [], avoid: [] }),
  updateConfig: updateConfigSchema.default({
    parallelism: 1,
    delayMs: 0,
    order: 'stop-first',
    monitorMs: 5000,
    failureAction: 'pause',
    maxFailureRatio: 0,
  }),
  rollbackConfig: updateConfigSchema.default({
    parallelism: 1,
    delayMs: 0,
    order: 'stop-first',
    monitorMs: 5000,
    failureAction: 'pause',
    maxFailureRatio: 0,
  }),
  stopSignal: z.string().max(32, 'must be at most 32 characters').regex(/^(SIG)?[A-Z0-9+-]+$|^\d+$/, 'must be a signal name such as SIGTERM or a number').optional(),
  stopGracePeriodMs: durationMs.default(10000),
  init: z.boolean().default(false),
  healthcheck: healthcheckSchema.optional(),
  secrets: boundedArray(fileReferenceSchema, limits.fileRefs).default([]),
  configs: boundedArray(fileReferenceSchema, limits.fileRefs).default([]),
  /** Networks the tasks join besides the environment's `default` (see api/networks.ts). */
  networks: boundedArray(networkAttachmentSchema, limits.networks).default([]),
  /** Services of the same environment (in a stack: of the same stack) this one waits for. */
  dependsOn: boundedArray(dependencySchema, limits.serviceRefs).default([]),
  /** Bumped by `service update --force`: a changed value replaces every task. */
  forceUpdate: nonNegInt.default(0),
  /** Old task records kept per slot (or per node for global services). */
  taskHistoryLimit: nonNegInt.max(100, 'must be at most 100').default(5),
}).superRefine((spec, ctx) => {
  const seen = new Set<string>();
  spec.ports.forEach((p, i) => {
    if (p.published === undefined) return;
    const key = `${p.published}/${p.protocol}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['ports', i, 'published'], message: `port ${key} is published twice` });
    seen.add(key);
  });
  const targets = new Set<string>();
  spec.networks.forEach((n, i) => {
    if (targets.has(n.target)) ctx.addIssue({ code: 'custom', path: ['networks', i, 'target'], message: `network "${n.target}" is listed twice` });
    targets.add(n.target);
  });
  if (spec.mode === 'global' && spec.placement.maxReplicasPerNode > 0) {
    ctx.addIssue({ code: 'custom', path: ['placement', 'maxReplicasPerNode'], message: 'applies only to replicated services' });
  }
});
export type ServiceSpec = z.infer<typeof serviceSpecSchema>;
export type ServiceSpecInput = z.input<typeof serviceSpecSchema>;

export const createServiceSchema = z.strictObject({
  name: nameSchema,
  spec: serviceSpecSchema,
});

export const updateServiceSchema = z.strictObject({
  /** The service version the client read: a stale one is refused with 409. */
  version: nonNegInt.optional(),
  spec: serviceSpecSchema,
});

export const scaleServiceSchema = z.strictObject({ replicas: replicasSchema });
