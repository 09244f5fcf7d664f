import type { Environment } from '../../client/types.js';

/** An environment as `env inspect` and `env update` print it: name, description, role, quotas. */
export function environmentText(env: Environment): string {
  return [
    `Environment:        ${env.name}`,
    ...(env.description !== undefined ? [`Description:        ${env.description}`] : []),
    ...(env.role ? [`Your role:          ${env.role}`] : []),
    'Quotas:',
    `  max replicas:     ${env.quotas.maxReplicasPerService} per service`,
    `  max services:     ${env.quotas.maxServices}`,
    `  max tasks:        ${env.quotas.maxTasks} replicas in all`,
  ].join('\n') + '\n';
}
