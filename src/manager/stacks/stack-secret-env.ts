import { envHolding, isCredentialName } from '../../api/hidden-env.js';
import type { StackSpec } from '../../api/stack-spec.js';

/**
 * The variable values no view may show: those of variables named like credentials
 * (`DB_PASSWORD`) and of variables that give a secret its content, whatever their names.
 */
export function credentialValues(variables: Record<string, string>, secretVariables: ReadonlySet<string>): string[] {
  return Object.entries(variables)
    .filter(([name]) => isCredentialName(name) || secretVariables.has(name))
    .map(([, value]) => value);
}

/**
 * The rendered stack with each service's `secretEnv` listing the env entries whose values hold
 * one of `values` (`DATABASE_URL: postgres://app:${DB_PASSWORD}@db`), so that no view shows
 * them (api/hidden-env.ts); services with none are left as they are, so a redeploy of an
 * unchanged stack changes nothing.
 */
export function markSecretEnv(rendered: StackSpec, values: readonly string[]): StackSpec {
  const services: StackSpec['services'] = {};
  for (const [name, spec] of Object.entries(rendered.services)) {
    const secretEnv = envHolding(spec, values);
    services[name] = secretEnv.length > 0 ? { ...spec, secretEnv } : spec;
  }
  return { ...rendered, services };
}
