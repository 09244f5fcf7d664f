/**
 * Hard limits on everything a client sends: counts and sizes no environment can raise. They
 * exist so that no single request can make the manager hold (or loop over) more than it can:
 * a service of 10^9 replicas would otherwise be stored and then exhaust the heap on every start.
 * What a site may want to tune (replicas per service, services, tasks per environment) is a
 * per-environment quota (`quotas.ts`), always at or below these. docs/SECURITY.md ("Limits and
 * quotas") lists each with the threat it answers; keep the two in step.
 */
export const limits = {
  /**
   * Bytes of one request body to the API (fastify's `bodyLimit`); larger ones get 413 naming
   * it. The CLI checks a stack deploy against it before sending.
   */
  requestBodyBytes: 1024 * 1024,
  /** Replicas of one service (also the ceiling of the per-environment quota). */
  replicasPerService: 10_000,
  /** Services of one stack (compose file). */
  servicesPerStack: 200,
  /** Source files of one stack deploy (`-c` given several times). */
  stackFiles: 16,
  /** Bytes (UTF-8) of one compose file or `.env` file of a stack deploy, checked by the API and the CLI. */
  composeFileBytes: 512 * 1024,
  /** Variables and referenced files sent with one stack deploy. */
  stackVariables: 1_000,
  stackFileData: 100,
  /** Characters of an image reference, and of its name part (Docker's own name limit). */
  imageLength: 512,
  imageNameLength: 255,
  /** Published or exposed ports of one service. */
  ports: 100,
  /** Mounts of one service. */
  mounts: 100,
  /** Environment variables of one service. */
  envEntries: 1_000,
  /** Labels (service, container, node, network, secret) on one object. */
  labels: 100,
  labelKeyLength: 255,
  labelValueLength: 4_096,
  /** Entries of entrypoint, command, args, and of a health check's test. */
  argvEntries: 1_000,
  /** Characters of one argument, environment value or other free text. */
  textLength: 65_536,
  /** Characters of a path (mount source and target, workdir). */
  pathLength: 4_096,
  /** Characters of short fields (user, hostname, stop signal, secret targets). */
  shortTextLength: 255,
  /** Placement constraints, spread preferences, colocate/avoid and dependsOn lists. */
  constraints: 64,
  preferences: 16,
  serviceRefs: 64,
  /** Secrets plus configs mounted by one service, and networks it joins. */
  fileRefs: 100,
  networks: 32,
  aliasesPerNetwork: 32,
  /**
   * Every duration (restart delay, update delay and monitor, health check periods, stop grace):
   * 7 days. Timers beyond 2^31 ms fire at once in Node, which would spin a control loop.
   */
  durationMs: 7 * 24 * 3600 * 1000,
  /** Restart attempts counted per slot. */
  restartAttempts: 10_000,
  /** Health check retries. */
  healthRetries: 1_000,
} as const;

export type LimitName = keyof typeof limits;

/** How a refusal names a limit that cannot be raised, so nobody looks for a flag that does not exist. */
export const hardLimitHint = 'a hard limit (docs/SECURITY.md, "Limits and quotas")';
