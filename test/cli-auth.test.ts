import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { printedAdminPassword } from './harness/admin-client.js';
import { ManagerProcess } from './harness/manager-process.js';

const repo = new URL('..', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The `shoal` CLI as a user runs it, against a real `shoal manager` process that requires
 * credentials: log in, accounts, environments, members, API keys, contexts and the audit history.
 */
describe('the shoal CLI: login, contexts, accounts, environments, API keys and audit', () => {
  const manager = new ManagerProcess();
  let config = '';
  let adminPassword = '';
  // Everything the CLI printed, to check that no secret shows up where it must not.
  const printed: string[] = [];

  const shoal = (args: string[], stdin = '', vars: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      // The user's own SHOAL_* settings must not leak into the test, nor its into the user's.
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SHOAL_')));
      const p = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args], {
        cwd: repo,
        env: { ...env, SHOAL_CONFIG: config, ...vars },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.stdin.end(stdin);
      p.on('close', (code) => {
        printed.push(stdout, stderr);
        resolve({ code, stdout, stderr });
      });
    });
  const ok = async (args: string[], stdin = ''): Promise<string> => {
    const r = await shoal(args, stdin);
    assert.equal(r.code, 0, `shoal ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  /** Exit 1 with one readable line on stderr. */
  const fails = async (args: string[], message: RegExp, stdin = '', vars: Record<string, string> = {}): Promise<void> => {
    const r = await shoal(args, stdin, vars);
    assert.equal(r.code, 1, `shoal ${args.join(' ')} should fail: ${r.stdout}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0] ?? '', /^shoal: /);
    assert.match(lines[0] ?? '', message);
  };
  const readConfig = (): { currentContext?: string; contexts: Record<string, Record<string, string>> } =>
    JSON.parse(readFileSync(config, 'utf8')) as { currentContext?: string; contexts: Record<string, Record<string, string>> };

  before(async () => {
    await manager.start();
    config = join(manager.dataDir, 'user-cli', 'config.json');
    adminPassword = printedAdminPassword(manager.stderr) ?? '';
    assert.ok(adminPassword, 'the manager printed the administrator password');
  });
  after(async () => {
    await manager.destroy();
  });

  test('without a credential nothing but login works, and the error says how to get one', async () => {
    await fails(['--host', manager.url, 'service', 'ls'], /credentials required.*shoal login/);
    await fails(['--host', manager.url, 'login', '-u', 'admin', '--password-stdin'], /wrong username or password/, 'not-the-password\n');
    // On a pipe there is no terminal to ask on.
    await fails(['--host', manager.url, 'login', '-u', 'admin'], /--password-stdin/);
  });

  test('login stores a session in a new context, in a file only its owner can read', async () => {
    const out = await ok(['login', '--context', 'local', '--host', manager.url, '--username', 'admin', '--password-stdin'], `${adminPassword}\n`);
    assert.match(out, /Logged in to .* as admin \(administrator\)/);
    assert.match(out, /context "local", now the current context/);
    const saved = readConfig();
    assert.equal(saved.currentContext, 'local');
    assert.equal(saved.contexts.local?.host, manager.url);
    assert.match(saved.contexts.local?.sessionToken ?? '', /^shoal-session-/);
    assert.equal(statSync(config).mode & 0o777, 0o600);
    assert.equal(statSync(join(config, '..')).mode & 0o777, 0o700);

    const who = await ok(['whoami']);
    assert.match(who, /user: +account admin/);
    assert.match(who, /administrator: +yes/);
    assert.match(await ok(['service', 'ls']), /^ID +NAME/);
  });

  test('accounts: create with a given or a generated password, ls, passwd, rm', async () => {
    assert.match(await ok(['account', 'create', 'alice', '--password-stdin'], 'alice-password-1\n'), /Account alice created/);
    const bob = await ok(['account', 'create', 'bob']);
    const bobPassword = /Password \(shown once.*\): (\S+)/.exec(bob)?.[1] ?? '';
    assert.ok(bobPassword.length >= 12, bob);
    await fails(['account', 'create', 'alice', '--password-stdin'], /already exists/, 'another-password-1\n');
    await fails(['account', 'create', 'carol', '--password-stdin'], /password.*at least 12/, 'short\n');

    const ls = await ok(['account', 'ls']);
    assert.match(ls, /^USERNAME +ADMIN +CREATED +ID\n/);
    assert.match(ls, /\nadmin +yes /);
    assert.match(ls, /\nalice +no /);
    assert.match(ls, /\nbob +no /);
    const json = JSON.parse(await ok(['account', 'ls', '--format', 'json'])) as Record<string, unknown>[];
    assert.deepEqual(json.map((a) => a.username), ['admin', 'alice', 'bob']);
    assert.ok(json.every((a) => !('passwordHash' in a)));

    // An administrator sets bob's password; bob logs in with it into a context of his own.
    assert.match(await ok(['account', 'passwd', 'bob', '--password-stdin'], 'bob-new-password\n'), /Password of bob set/);
    await fails(['login', '--context', 'bob', '--host', manager.url, '-u', 'bob', '--password-stdin'], /wrong username or password/, `${bobPassword}\n`);
    await ok(['login', '--context', 'bob', '--host', manager.url, '-u', 'bob', '--password-stdin'], 'bob-new-password\n');
    assert.equal(readConfig().currentContext, 'local', 'logging in to another context does not switch to it');
    // Bob holds no role anywhere: only the authenticated routes answer him.
    await fails(['--context', 'bob', 'service', 'ls'], /account "bob" has no role in environment "default"/);
    await fails(['--context', 'bob', 'account', 'ls'], /account:admin/);

    assert.equal((await ok(['account', 'rm', 'bob'])).trim(), 'bob');
    await fails(['--context', 'bob', 'whoami'], /session is unknown or has expired/);
    await fails(['account', 'rm', 'bob'], /account "bob" not found/);
    await ok(['context', 'rm', 'bob']);
  });

  test('environments and members: create, ls, member add|ls|rm, env use', async () => {
    assert.equal((await ok(['env', 'create', 'dev', '--description', 'for development'])).trim(), 'dev');
    await fails(['env', 'create', 'dev'], /already exists/);
    await fails(['env', 'create', 'no way'], /name/);
    const ls = await ok(['env', 'ls']);
    assert.match(ls, /^CURRENT +NAME +YOUR ROLE +CREATED +DESCRIPTION\n/);
    assert.match(ls, /\* +default /);
    assert.match(ls, /\n +dev .*for development/);

    assert.match(await ok(['env', 'member', 'add', 'dev', 'alice', 'owner']), /alice is owner in environment "dev"/);
    await fails(['env', 'member', 'add', 'dev', 'alice', 'boss'], /role "boss": must be one of owner, member, restricted, readonly/);
    await fails(['env', 'member', 'add', 'dev', 'nobody', 'member'], /account "nobody" not found/);
    assert.match(await ok(['env', 'member', 'ls', 'dev']), /USERNAME +ROLE\nalice +owner\n/);
    // Quotas: administrators raise them; every role sees them.
    assert.match(await ok(['env', 'update', 'dev', '--max-replicas', '2000']), /max replicas: +2000 per service\n/);
    assert.match(await ok(['env', 'inspect', 'dev']), /Description: +for development\n[\s\S]*max services: +500\n/);
    await fails(['env', 'update', 'dev'], /give --max-replicas, --max-services or --max-tasks/);
    await fails(['env', 'update', 'dev', '--max-tasks', '0'], /--max-tasks "0"/);

    // Host paths every role that writes services may bind (administrators set them).
    assert.match(await ok(['env', 'update', 'dev', '--allow-bind-path', '/srv/data/', '--allow-bind-path', '/opt/shared']), /Host paths: +\/opt\/shared, \/srv\/data\n/);
    await fails(['env', 'update', 'dev', '--allow-bind-path', '/srv/../etc'], /paths\[2\]: must not contain "\.\."/);
    await fails(['env', 'update', 'dev', '--remove-bind-path', '/nope'], /--remove-bind-path "\/nope": not an allowed host path/);
    assert.match(await ok(['env', 'update', 'dev', '--remove-bind-path', '/opt/shared/', '--max-services', '400']), /max services: +400\n[\s\S]*Host paths: +\/srv\/data\n/);
    assert.deepEqual((JSON.parse(await ok(['env', 'inspect', 'dev', '--format', 'json'])) as { allowedHostPaths?: string[] }).allowedHostPaths, ['/srv/data']);
    assert.match(await ok(['env', 'inspect', 'dev']), /Host paths: +\/srv\/data\n/);
    assert.match(await ok(['env', 'update', 'dev', '--clear-bind-paths']), /Host paths: +\(none allowed: only owners bind host paths\)/);

    // Alice logs in to her own context, makes it current and switches it to dev.
    await ok(['login', '--context', 'alice', '--host', manager.url, '-u', 'alice', '--password-stdin'], 'alice-password-1\n');
    assert.match(await ok(['context', 'use', 'alice']), /Switched to context "alice"/);
    await fails(['env', 'use', 'nope'], /environment "nope" not found/);
    assert.match(await ok(['env', 'use', 'dev']), /Context "alice" now acts in environment "dev"/);
    const who = await ok(['whoami']);
    assert.match(who, /user: +account alice/);
    assert.match(who, /environment: +dev/);
    assert.match(who, /role: +owner/);
    assert.match(await ok(['env', 'ls']), /\* +dev +owner/);
    assert.match(await ok(['env', 'inspect', 'dev']), /max replicas: +2000 per service/);
    await fails(['env', 'update', 'dev', '--max-tasks', '9000'], /environment:admin/);
    // Member routes act in the environment they name, whatever the context's: an owner of dev manages dev's members.
    assert.match(await ok(['--env', 'default', 'env', 'member', 'ls', 'dev']), /alice +owner/);
    // Not in default, where she has no role.
    await fails(['service', 'ls', '--env', 'default'], /no role in environment "default"/);
    assert.match(await ok(['service', 'ls']), /^ID +NAME/);
    // Owning dev does not make her an administrator: the allowed host paths are not hers to set.
    await fails(['env', 'update', 'dev', '--allow-bind-path', '/srv'], /does not grant environment:admin/);
  });

  test('API keys: create prints the secret once, ls never shows it, a saved context works until revoke', async () => {
    // Alice (owner of dev, current context) creates a key there.
    const created = await ok(['apikey', 'create', '--env', 'dev', '--role', 'member', '--name', 'ci', '--save-context', 'dev-ci']);
    const accessKey = /access key: (AK\w+)/.exec(created)?.[1] ?? '';
    const secret = /secret: +(\S+)/.exec(created)?.[1] ?? '';
    assert.ok(accessKey && secret, created);
    assert.ok(created.includes(`curl -u ${accessKey}:${secret} "${manager.url}/v1/services?env=dev"`), created);
    await fails(['apikey', 'create', '--env', 'dev', '--role', 'member', '--name', 'ci'], /already exists/);
    await fails(['apikey', 'create', '--env', 'dev', '--role', 'chief', '--name', 'x'], /--role "chief"/);
    await fails(['apikey', 'create', '--env', 'dev', '--name', 'x'], /--role is required/);

    const ls = await ok(['apikey', 'ls', '--env', 'dev']);
    assert.match(ls, /^ACCESS KEY +NAME +ENV +ROLE +CREATED BY +CREATED +LAST USED\n/);
    assert.match(ls, new RegExp(`${accessKey} +ci +dev +member +account:alice `));
    assert.ok(!ls.includes(secret));
    assert.ok(!(await ok(['apikey', 'ls', '--env', 'dev', '--format', 'json'])).includes(secret));

    // The saved context carries the key; it acts in dev with its role, not in default.
    const who = await ok(['--context', 'dev-ci', 'whoami']);
    assert.match(who, new RegExp(`user: +API key ci \\(${accessKey}\\)`));
    assert.match(who, /role: +member/);
    assert.match(await ok(['--context', 'dev-ci', 'service', 'ls']), /^ID +NAME/);
    await fails(['--context', 'dev-ci', 'service', 'ls', '--env', 'default'], /belongs to environment "dev", not "default"/);
    // The key pair in environment variables beats the current context's session (alice, an owner).
    const keyVars = { SHOAL_ACCESS_KEY: accessKey, SHOAL_SECRET_KEY: secret };
    const viaVars = await shoal(['whoami'], '', keyVars);
    assert.equal(viaVars.code, 0, viaVars.stderr);
    assert.match(viaVars.stdout, /user: +API key ci/);
    // A context's credential never goes to another host; the variables' key is the user's explicit choice.
    await fails(['whoami', '--host', `http://localhost:${manager.apiPort}`], /credentials required.*is for http:\/\/127\.0\.0\.1:\d+, not http:\/\/localhost/);

    const contexts = await ok(['context', 'ls']);
    assert.match(contexts, /^CURRENT +NAME +HOST +ENV +CREDENTIAL\n/);
    assert.match(contexts, /\* +alice +\S+ +dev +session of alice \(\d+ hours left\)/);
    assert.match(contexts, new RegExp(`dev-ci +\\S+ +dev +API key ${accessKey}`));
    assert.match(contexts, / +local +\S+ +default +session of admin/);
    assert.ok(!contexts.includes(secret));
    assert.ok(!contexts.includes(readConfig().contexts.local?.sessionToken ?? 'x'));
    assert.ok(!(await ok(['context', 'ls', '--format', 'json'])).includes(secret));
    assert.match(await ok(['context', 'show', '--context', 'dev-ci']), /credential: +API key AK\w+ \(from the context\)/);

    // A login does not overwrite a stored key (its secret cannot be shown again) unless the context is named.
    await fails(['login', '-u', 'alice', '--password-stdin'], /context "dev-ci" holds API key AK\w+; log in to another context/, 'alice-password-1\n', { SHOAL_CONTEXT: 'dev-ci' });
    assert.equal(readConfig().contexts['dev-ci']?.secretKey, secret);

    assert.equal((await ok(['apikey', 'revoke', 'ci', '--env', 'dev'])).trim(), accessKey);
    await fails(['--context', 'dev-ci', 'service', 'ls'], /API key is unknown or revoked/);
    await fails(['apikey', 'revoke', 'ci', '--env', 'dev'], /not found/);
    await ok(['context', 'rm', 'dev-ci']);
    await fails(['--context', 'dev-ci', 'whoami'], /context "dev-ci" not found/);
  });

  test('personal API keys act as their account', async () => {
    const created = await ok(['apikey', 'create', '--personal', '--name', 'laptop', '--save-context', 'alice-key']);
    assert.match(created, /acting as your account/);
    const accessKey = /access key: (AK\w+)/.exec(created)?.[1] ?? '';
    assert.match(await ok(['apikey', 'ls', '--personal']), new RegExp(`${accessKey} +laptop +\\(personal\\)`));
    assert.match(await ok(['--context', 'alice-key', 'whoami', '--env', 'dev']), /role: +owner/);
    await ok(['apikey', 'revoke', '--personal', 'laptop']);
    await fails(['--context', 'alice-key', 'whoami'], /unknown or revoked/);
    await ok(['context', 'rm', 'alice-key']);
  });

  test('own password change: current then new on stdin; the session in use stays, the old password stops working', async () => {
    await fails(['account', 'passwd', '--password-stdin'], /current/i, 'wrong-current-password\nalice-password-2\n');
    assert.match(await ok(['account', 'passwd', '--password-stdin'], 'alice-password-1\nalice-password-2\n'), /Password of alice changed/);
    assert.match(await ok(['whoami']), /account alice/);
    await fails(['login', '-u', 'alice', '--password-stdin'], /wrong username or password/, 'alice-password-1\n');
    await ok(['login', '-u', 'alice', '--password-stdin'], 'alice-password-2\n');
  });

  test('member rm takes the role away; logout forgets the session', async () => {
    assert.match(await ok(['--context', 'local', 'env', 'member', 'rm', 'dev', 'alice']), /alice has no role in environment "dev"/);
    await fails(['service', 'ls'], /no role in environment "dev"/);
    await fails(['--context', 'local', 'env', 'member', 'rm', 'dev', 'alice'], /not a member/);
    assert.match(await ok(['logout']), /Logged out; context "alice"/);
    assert.equal(readConfig().contexts.alice?.sessionToken, undefined);
    await fails(['whoami'], /credentials required/);
    assert.match(await ok(['logout']), /holds no session/);
    await ok(['context', 'use', 'local']);
  });

  test('audit: events --since lists the history with filters; verify passes', async () => {
    const history = await ok(['events', '--since', '1h', '--env', 'dev']);
    assert.match(history, /^TIME +ACTOR +SOURCE +ACTION +OBJECT +DETAILS\n/);
    assert.match(history, /account:alice +\S+ +create +api-key dev\/ci/);
    const failed = await ok(['audit', 'ls', '--cluster', '--action', 'login-failed', '--format', 'json']);
    const entries = JSON.parse(failed) as { actor: string; action: string; object: { name?: string } }[];
    assert.ok(entries.length >= 3, failed);
    assert.ok(entries.every((e) => e.action === 'login-failed'));
    const byAdmin = await ok(['audit', 'ls', '--cluster', '--actor', 'admin', '--object', 'environment/dev']);
    assert.match(byAdmin, /account:admin +\S+ +create +environment dev/);
    assert.doesNotMatch(byAdmin, /account:alice/);
    await fails(['events', '--since', 'yesterday'], /--since "yesterday"/);
    await fails(['events', '--since', '5', '--actor', 'admin'], /revision number is for the live stream/);
    assert.match(await ok(['audit', 'verify']), /audit history intact: \d+ entries checked/);
  });

  test('env rm; no secret was ever printed outside the create answers', async () => {
    assert.equal((await ok(['env', 'rm', 'dev'])).trim(), 'dev');
    await fails(['env', 'rm', 'default'], /cannot be removed/);
    const sessions = Object.values(readConfig().contexts).map((c) => c.sessionToken).filter((t): t is string => Boolean(t));
    assert.ok(sessions.length > 0);
    for (const token of sessions) assert.ok(!printed.some((p) => p.includes(token)), 'a session token was printed');
  });

  test('audit verify exits 1 naming the first entry that was edited', async () => {
    await manager.stop();
    const db = new Database(join(manager.dataDir, 'manager', 'shoal.db'));
    const row = db.prepare(`SELECT id FROM objects WHERE kind = 'audit' AND json_extract(data, '$.action') = 'create' ORDER BY id LIMIT 1`).get() as { id: string };
    db.prepare(`UPDATE objects SET data = json_set(data, '$.actor', 'account:mallory') WHERE kind = 'audit' AND id = ?`).run(row.id);
    db.close();
    await manager.start();
    const r = await shoal(['--context', 'local', 'audit', 'verify']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`^shoal: audit history broken at entry #${Number(row.id)}: hash mismatch`));
  });
});
