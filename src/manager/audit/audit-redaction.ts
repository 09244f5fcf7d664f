/** What replaces credential material in an audit entry. */
export const redacted = '[redacted]';

// Field names that hold credentials or material derived from them: account password hashes,
// API key secret hashes, sealed join tokens, private keys, and service env vars named like
// secrets (`DB_PASSWORD`). Matching names rather than listing fields per kind also covers
// kinds added later.
const sensitiveName = /pass(word|wd)?|secret|token|hash|sealed|private|credential/i;

/** A copy of `value` with every sensitive field's value replaced, at any depth. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, sensitiveName.test(k) ? redacted : redact(v)]),
  );
}
