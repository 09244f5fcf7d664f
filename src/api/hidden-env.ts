import { ShoalError } from './errors.js';

/**
 * The one rule for environment values in what the API answers (docs/SECURITY.md, "Environment
 * values in views"): every view (service inspect and ls, tasks, stack inspect, audit entries, so
 * the CLI and the web UI) shows an env entry's value unless the entry is hidden, and then shows
 * this marker instead, to every role. An entry is hidden when its name looks like a credential,
 * or the spec lists it in `secretEnv` (a stack deploy lists the entries whose values contain a
 * credential variable's value, e.g. `DATABASE_URL: postgres://app:${DB_PASSWORD}@db`).
 */
export const hiddenEnvValue = '[redacted]';

/**
 * Names that hold credentials or material derived from them (`DB_PASSWORD`, `API_TOKEN`,
 * `AWS_SECRET_ACCESS_KEY`, `GITHUB_API_KEY`, a stored `passwordHash`, a `sealed` token). Shared
 * by env entries, compose variables and the audit history's object fields.
 */
export const credentialNamePattern = /pass(word|wd)?|secret|token|hash|sealed|private|credential|api_?key/i;

export const isCredentialName = (name: string): boolean => credentialNamePattern.test(name);

interface EnvSpec {
  env?: Record<string, string>;
  secretEnv?: string[];
}

/**
 * The spec as views show it: hidden env values replaced by the marker; other fields as they are.
 * `alsoHidden`: entries the current spec of the same service hides (a task's or a previous spec
 * may predate an entry being listed in `secretEnv`, which replaces no task).
 */
export function specForView<T extends EnvSpec>(spec: T, alsoHidden: readonly string[] = []): T {
  if (!spec.env) return spec;
  const marked = new Set([...(spec.secretEnv ?? []), ...alsoHidden]);
  let changed = false;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.env)) {
    const hide = marked.has(key) || isCredentialName(key);
    env[key] = hide ? hiddenEnvValue : value;
    changed ||= hide;
  }
  return changed ? { ...spec, env } : spec;
}

/**
 * A spec sent back as a view showed it (`service update` reads the spec, changes a flag and
 * sends it whole): each env value that is the marker keeps the value stored for that name. The
 * marker for a name nothing is stored under is refused, so it never becomes a real value.
 */
export function restoreHiddenEnv<T extends EnvSpec>(next: T, current: EnvSpec | undefined, field = 'spec.env'): T {
  if (!next.env) return next;
  let changed = false;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(next.env)) {
    if (value !== hiddenEnvValue) {
      env[key] = value;
      continue;
    }
    const stored = current?.env?.[key];
    if (stored === undefined) {
      throw new ShoalError('invalid_argument', `${field}.${key}: "${hiddenEnvValue}" stands for a hidden value, and this service has none for ${key}: give the value`, `${field}.${key}`);
    }
    env[key] = stored;
    changed = true;
  }
  return changed ? { ...next, env } : next;
}

/**
 * The env entries of a spec to list in `secretEnv`: those whose value contains one of `values`
 * (credential variables' values; empty ones are ignored), besides those already listed.
 */
export function envHolding(spec: EnvSpec, values: readonly string[]): string[] {
  const secrets = values.filter((v) => v !== '');
  const keys = new Set(spec.secretEnv ?? []);
  for (const [key, value] of Object.entries(spec.env ?? {})) {
    if (secrets.some((s) => value.includes(s))) keys.add(key);
  }
  return [...keys].sort();
}
