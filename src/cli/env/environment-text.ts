import type { Environment } from '../../client/types.js';

/** An environment as `env inspect` and `env update` print it: name, description, role, quotas, allowed host paths. */
export function environmentText(env: Environment): string {
  return [
    `Environment:        ${env.name}`,
    ...(env.description !== undefined ? [`Description:        ${env.description}`] : []),
    ...(env.role ? [`Your role:          ${env.role}`] : []),
    'Quotas:',
    `  max replicas:     ${env.quotas.maxReplicasPerService} per service`,
    `  max services:     ${env.quotas.maxServices}`,
    `  max tasks:        ${env.quotas.maxTasks} replicas in all`,
    `Host paths:         ${(env.allowedHostPaths ?? []).join(', ') || '(none allowed: only owners bind host paths)'}`,
  ].join('\n') + '\n';
}
