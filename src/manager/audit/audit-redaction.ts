import { credentialNamePattern, hiddenEnvValue, specForView } from '../../api/hidden-env.js';

/** What replaces credential material in an audit entry: the marker every view uses. */
export const redacted = hiddenEnvValue;

// Field names that hold credentials or material derived from them: account password hashes,
// API key secret hashes, sealed join tokens, private keys, and service env vars named like
// secrets (`DB_PASSWORD`). Matching names rather than listing fields per kind also covers
// kinds added later. The same names hide env values in every API view (api/hidden-env.ts).
const isSensitive = (key: string): boolean => key !== 'secretEnv' && credentialNamePattern.test(key);

/**
 * A copy of `value` with every sensitive field's value replaced, at any depth; a spec's env
 * entries listed in its `secretEnv` are replaced too, as views show them.
 */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  const object = value as { env?: Record<string, string>; secretEnv?: string[] };
  const shown = Array.isArray(object.secretEnv) ? specForView(object) : object;
  return Object.fromEntries(Object.entries(shown).map(([k, v]) => [k, isSensitive(k) ? redacted : redact(v)]));
}
