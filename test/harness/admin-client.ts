import { ShoalClient } from '../../src/client/shoal-client.js';

/**
 * The bootstrap administrator's password as a manager prints it once, on the start that created
 * the account (`shoal manager --init` on stderr, `shoal up` on stdout).
 */
export function printedAdminPassword(output: string): string | undefined {
  return /administrator account \(password shown once\): admin \/ (\S+)/.exec(output)?.[1];
}

export interface AdminSession {
  client: ShoalClient;
  /** The `Authorization` header value, for tests that send raw requests. */
  authorization: string;
}

/** Logs in as the bootstrap administrator; the session lasts hours, longer than any test. */
export async function adminSession(baseUrl: string, output: string, timeoutMs = 10_000): Promise<AdminSession> {
  const password = printedAdminPassword(output);
  if (!password) throw new Error(`the manager printed no administrator password:\n${output}`);
  const res = await fetch(`${baseUrl}/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const body = (await res.json()) as { token?: string };
  if (!res.ok || !body.token) throw new Error(`admin login failed (${res.status}): ${JSON.stringify(body)}`);
  return { client: new ShoalClient({ baseUrl, timeoutMs, sessionToken: body.token }), authorization: `Bearer ${body.token}` };
}

export async function adminClient(baseUrl: string, output: string, timeoutMs = 10_000): Promise<ShoalClient> {
  return (await adminSession(baseUrl, output, timeoutMs)).client;
}
