import { configPath, updateCliConfig, type CliContext } from '../config-file.js';
import type { CliIo } from '../io.js';

/** The context `shoal up` and `shoal manager --init` keep for the manager on this machine. */
export const localContextName = 'local';

export interface NewAdminCredential {
  username: string;
  password: string;
  accessKey: string;
  secret: string;
}

export interface LocalContextResult {
  path: string;
  context: CliContext;
}

/**
 * Points the user's CLI at the manager just started: the `local` context gets its address and
 * becomes current. On the start that created the administrator it also gets the admin's
 * personal API key (replacing whatever credential the context held: that belonged to an
 * older cluster); on later starts its credential is kept as it is.
 */
export async function recordLocalContext(io: CliIo, url: string, newAdmin: NewAdminCredential | undefined): Promise<LocalContextResult> {
  const path = configPath(io.env, io.homeDir);
  const config = await updateCliConfig(path, (c) => {
    const previous = c.contexts[localContextName] ?? {};
    c.contexts[localContextName] = newAdmin
      ? { host: url, env: 'default', accessKey: newAdmin.accessKey, secretKey: newAdmin.secret, username: newAdmin.username }
      : { ...previous, host: url };
    c.currentContext = localContextName;
  });
  return { path, context: config.contexts[localContextName] ?? {} };
}

/** What the terminal is told about the credential: the password once, where the key went, or how to log in. */
export function credentialBanner(result: LocalContextResult, newAdmin: NewAdminCredential | undefined): string[] {
  if (newAdmin) {
    return [
      `administrator account (password shown once): ${newAdmin.username} / ${newAdmin.password}`,
      `The CLI of this user acts as ${newAdmin.username} with an API key written to ${result.path} (readable by you only).`,
    ];
  }
  const { accessKey, sessionToken } = result.context;
  if (accessKey || sessionToken) return [`The CLI uses the credential in ${result.path} (context "${localContextName}").`];
  return [`No credential for this manager in ${result.path}: run \`shoal login --username admin\` (or your account).`];
}
