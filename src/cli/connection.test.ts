import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalError } from '../api/errors.js';
import { configPath, readCliConfig, readLocalConfig, saveContext, writeLocalConfig, type CliConfig } from './config-file.js';
import { connectionFlags, defaultHost, resolveConnection } from './connection.js';
import { buildProgram } from './program.js';
import { captureIo } from './test-fixtures.test.js';

const tempConfig = async (): Promise<string> => join(await mkdtemp(join(tmpdir(), 'shoal-cfg-')), 'nested', 'config.json');
const one = (ctx: CliConfig['contexts'][string]): CliConfig => ({ currentContext: 'c', contexts: { c: ctx } });
const now = Date.parse('2024-05-10T12:00:00.000Z');

test('host precedence: --host > SHOAL_HOST > current context > default', () => {
  const config = one({ host: 'http://from-config:1' });
  const vars = { SHOAL_HOST: 'http://from-env:2' };
  assert.equal(resolveConnection({ flagHost: 'http://flag:3', vars, config }).host, 'http://flag:3');
  assert.equal(resolveConnection({ vars, config }).host, 'http://from-env:2');
  assert.equal(resolveConnection({ vars: {}, config }).host, 'http://from-config:1');
  assert.equal(resolveConnection({ vars: {}, config: { contexts: {} } }).host, defaultHost);
  assert.equal(resolveConnection({ flagHost: '10.0.0.5:7420', vars: {}, config: { contexts: {} } }).host, 'http://10.0.0.5:7420');
});

test('environment precedence: --env > SHOAL_ENV > current context > none', () => {
  const config = one({ env: 'test' });
  assert.equal(resolveConnection({ flagEnv: 'prod', vars: { SHOAL_ENV: 'dev' }, config }).env, 'prod');
  assert.equal(resolveConnection({ vars: { SHOAL_ENV: 'dev' }, config }).env, 'dev');
  assert.equal(resolveConnection({ vars: {}, config }).env, 'test');
  assert.equal(resolveConnection({ vars: {}, config: { contexts: {} } }).env, undefined);
});

test('--context NAME is a flag: its settings beat environment variables; SHOAL_CONTEXT only picks the context', () => {
  const config: CliConfig = {
    currentContext: 'local',
    contexts: {
      local: { host: 'http://local:1', env: 'default' },
      prod: { host: 'http://prod:2', env: 'prod', accessKey: 'AKPROD', secretKey: 'sp' },
    },
  };
  const vars = { SHOAL_HOST: 'http://env:3', SHOAL_ENV: 'dev', SHOAL_ACCESS_KEY: 'AKENV', SHOAL_SECRET_KEY: 'se' };
  const byFlag = resolveConnection({ flagContext: 'prod', vars, config });
  assert.deepEqual([byFlag.contextName, byFlag.host, byFlag.env, byFlag.credential?.type === 'apikey' ? byFlag.credential.accessKey : ''], ['prod', 'http://prod:2', 'prod', 'AKPROD']);
  // Chosen by SHOAL_CONTEXT, the context ranks below the other variables.
  const byVar = resolveConnection({ vars: { ...vars, SHOAL_CONTEXT: 'prod' }, config });
  assert.deepEqual([byVar.contextName, byVar.host, byVar.env], ['prod', 'http://env:3', 'dev']);
  assert.equal(resolveConnection({ vars: { SHOAL_CONTEXT: 'prod' }, config }).host, 'http://prod:2');
  // --host still beats the context --context names.
  assert.equal(resolveConnection({ flagContext: 'prod', flagHost: 'http://flag:9', vars, config }).host, 'http://flag:9');
});

test('credential: SHOAL_ACCESS_KEY/SHOAL_SECRET_KEY, else the context\'s key pair, else its session while it lasts', () => {
  const vars = { SHOAL_ACCESS_KEY: 'AKENV', SHOAL_SECRET_KEY: 'se' };
  const both = one({ host: defaultHost, accessKey: 'AKCTX', secretKey: 's', sessionToken: 'tok' });
  assert.deepEqual(resolveConnection({ vars, config: both, now }).credential, { type: 'apikey', accessKey: 'AKENV', secret: 'se', from: 'environment' });
  // Half a pair in the environment is not a credential.
  assert.deepEqual(resolveConnection({ vars: { SHOAL_ACCESS_KEY: 'AKENV' }, config: both, now }).credential, { type: 'apikey', accessKey: 'AKCTX', secret: 's', from: 'context' });
  assert.deepEqual(resolveConnection({ vars: {}, config: both, now }).credential, { type: 'apikey', accessKey: 'AKCTX', secret: 's', from: 'context' });
  const session = one({ sessionToken: 'tok', sessionExpiresAt: '2024-05-10T13:00:00.000Z' });
  assert.deepEqual(resolveConnection({ vars: {}, config: session, now }).credential, { type: 'session', token: 'tok', expiresAt: '2024-05-10T13:00:00.000Z', from: 'context' });
  const expired = resolveConnection({ vars: {}, config: one({ sessionToken: 'tok', sessionExpiresAt: '2024-05-10T11:00:00.000Z' }), now });
  assert.equal(expired.credential, undefined);
  assert.match(expired.note ?? '', /session of context "c" expired.*shoal login/);
});

test('a context\'s credential is never sent to another host', () => {
  const config = one({ host: 'http://mine:1', accessKey: 'AK', secretKey: 's' });
  const elsewhere = resolveConnection({ flagHost: 'http://other:2', vars: {}, config, now });
  assert.equal(elsewhere.credential, undefined);
  assert.match(elsewhere.note ?? '', /is for http:\/\/mine:1, not http:\/\/other:2/);
  // The same origin written differently is the same manager.
  assert.equal(resolveConnection({ flagHost: 'mine:1', vars: {}, config, now }).credential?.type, 'apikey');
  assert.equal(resolveConnection({ vars: { SHOAL_HOST: 'http://mine:1/' }, config, now }).credential?.type, 'apikey');
});

test('config path: $SHOAL_CONFIG, else ~/.shoal/config.json', () => {
  assert.equal(configPath({ SHOAL_CONFIG: '/x/c.json' }, '/home/u'), '/x/c.json');
  assert.equal(configPath({}, '/home/u'), '/home/u/.shoal/config.json');
});

test('the flat file of older versions reads as the current context "default"', async () => {
  const path = await tempConfig();
  assert.deepEqual(await readCliConfig(path), { contexts: {} });
  await saveContext(path, 'x', {}, { makeCurrent: false });
  await writeFile(path, JSON.stringify({ host: 'http://old:1', env: 'dev' }));
  assert.deepEqual(await readCliConfig(path), { currentContext: 'default', contexts: { default: { host: 'http://old:1', env: 'dev' } } });
  assert.deepEqual(await readLocalConfig(path), { host: 'http://old:1', env: 'dev' });
  // Writing converts it, keeping what it had.
  await saveContext(path, 'prod', { host: 'http://prod:1' }, { makeCurrent: false });
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), {
    currentContext: 'default',
    contexts: { default: { host: 'http://old:1', env: 'dev' }, prod: { host: 'http://prod:1' } },
  });
});

test('saveContext replaces a context whole, makes it current on request, writes 0600 in a 0700 folder and leaves no temporary file', async () => {
  const path = await tempConfig();
  await saveContext(path, 'local', { host: 'http://a:1', env: 'dev', sessionToken: 't', username: 'alice' }, { makeCurrent: true });
  await saveContext(path, 'local', { host: 'http://a:1', accessKey: 'AK1', secretKey: 's1' }, { makeCurrent: true });
  await saveContext(path, 'other', { host: 'http://b:2' }, { makeCurrent: false });
  assert.deepEqual(await readCliConfig(path), {
    currentContext: 'local',
    contexts: { local: { host: 'http://a:1', accessKey: 'AK1', secretKey: 's1' }, other: { host: 'http://b:2' } },
  });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal((await stat(join(path, '..'))).mode & 0o777, 0o700);
  assert.deepEqual(await readdir(join(path, '..')), ['config.json']);
  await assert.rejects(saveContext(path, '../evil', {}, { makeCurrent: false }), (e: unknown) => e instanceof ShoalError && e.field === 'context');
});

test('writeLocalConfig (shoal up) updates the current context and keeps its credential', async () => {
  const path = await tempConfig();
  await writeLocalConfig({ host: 'http://a:1', env: 'dev' }, path);
  assert.deepEqual(await readCliConfig(path), { currentContext: 'default', contexts: { default: { host: 'http://a:1', env: 'dev' } } });
  await saveContext(path, 'local', { host: 'http://a:1', accessKey: 'AK', secretKey: 's' }, { makeCurrent: true });
  await writeLocalConfig({ host: 'http://b:2' }, path);
  assert.deepEqual((await readCliConfig(path)).contexts.local, { host: 'http://b:2', accessKey: 'AK', secretKey: 's' });
  assert.deepEqual(await readLocalConfig(path), { host: 'http://b:2' });
});

test('a broken config file is one clear error', async () => {
  const path = await tempConfig();
  await saveContext(path, 'x', {}, { makeCurrent: false });
  await writeFile(path, '{oops');
  await assert.rejects(readCliConfig(path), (e: unknown) => e instanceof ShoalError && /not valid JSON/.test(e.message));
  await writeFile(path, '{"contexts": []}');
  await assert.rejects(readCliConfig(path), (e: unknown) => e instanceof ShoalError && /"contexts" must be an object/.test(e.message));
});

test('--host, --env and --context are read before or after the verb; create keeps --env for variables', async () => {
  const seen: { host?: string; env?: string; context?: string }[] = [];
  const program = buildProgram(captureIo());
  const service = program.commands.find((c) => c.name() === 'service');
  for (const c of service?.commands ?? []) {
    c.action((...args: unknown[]) => {
      seen.push(connectionFlags(args[args.length - 1] as typeof c));
    });
  }
  await program.parseAsync(['node', 'shoal', '--host', 'http://h:1', '--env', 'prod', 'service', 'ls']);
  await program.parseAsync(['node', 'shoal', 'service', 'ls', '--env', 'dev', '--host', 'http://h:2', '--context', 'c1']);
  await program.parseAsync(['node', 'shoal', '--env', 'prod', '--context', 'c2', 'service', 'create', '--env', 'A=1', 'nginx']);
  assert.deepEqual(seen, [
    { host: 'http://h:1', env: 'prod' },
    { host: 'http://h:2', env: 'dev', context: 'c1' },
    { env: 'prod', context: 'c2' },
  ]);
});
