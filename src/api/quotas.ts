import { z } from 'zod';
import { limits } from './limits.js';

/**
 * Per-environment quotas: how much of the cluster one environment may ask for. Unlike the hard
 * limits (`limits.ts`) an administrator raises them, per environment, up to those limits
 * (`PATCH /v1/environments/NAME/quotas`, `shoal env update NAME --max-replicas N`). The
 * defaults suit a small site; docs/SECURITY.md ("Limits and quotas") explains each.
 */
export interface EnvironmentQuotas {
  /** Replicas of one replicated service. */
  maxReplicasPerService: number;
  /** Services of the environment (stack services included). */
  maxServices: number;
  /** Replicas of all the environment's replicated services together. */
  maxTasks: number;
}

/** The ceilings an administrator can raise quotas to. */
export const quotaCeilings: EnvironmentQuotas = {
  maxReplicasPerService: limits.replicasPerService,
  maxServices: 10_000,
  maxTasks: 100_000,
};

export const defaultQuotas: EnvironmentQuotas = {
  maxReplicasPerService: 1_000,
  maxServices: 500,
  maxTasks: 5_000,
};

/** The CLI flag that raises each quota (named in refusals). */
export const quotaFlags: Record<keyof EnvironmentQuotas, string> = {
  maxReplicasPerService: '--max-replicas',
  maxServices: '--max-services',
  maxTasks: '--max-tasks',
};

const quota = (key: keyof EnvironmentQuotas): z.ZodNumber =>
  z.number().int('must be an integer').min(1, 'must be at least 1').max(quotaCeilings[key], `must be at most ${quotaCeilings[key]} (a hard limit)`);

/** `PATCH /v1/environments/:name/quotas`: the quotas given change, the others stay. */
export const updateQuotasSchema = z
  .strictObject({
    maxReplicasPerService: quota('maxReplicasPerService').optional(),
    maxServices: quota('maxServices').optional(),
    maxTasks: quota('maxTasks').optional(),
  })
  .refine((q) => Object.keys(q).length > 0, 'must set at least one of maxReplicasPerService, maxServices, maxTasks');
export type UpdateQuotasRequest = z.input<typeof updateQuotasSchema>;

/** The quotas in force: those stored on the environment, defaults for the rest. */
export function effectiveQuotas(stored: Partial<EnvironmentQuotas> | undefined): EnvironmentQuotas {
  return { ...defaultQuotas, ...(stored ?? {}) };
}
