import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalError } from '../api/errors.js';
import { configPath, readLocalConfig, writeLocalConfig } from './config-file.js';
import { connectionFlags, defaultHost, resolveConnection } from './connection.js';
import { buildProgram } from './program.js';
import { captureIo } from './test-fixtures.test.js';

test('host precedence: --host > SHOAL_HOST > config file > default', () => {
  const config = { host: 'http://from-config:1' };
  const vars = { SHOAL_HOST: 'http://from-env:2' };
  assert.equal(resolveConnection({ flagHost: 'http://flag:3', vars, config }).host, 'http://flag:3');
  assert.equal(resolveConnection({ vars, config }).host, 'http://from-env:2');
  assert.equal(resolveConnection({ vars: {}, config }).host, 'http://from-config:1');
  assert.equal(resolveConnection({ vars: {}, config: {} }).host, defaultHost);
  assert.equal(resolveConnection({ flagHost: '10.0.0.5:7420', vars: {}, config: {} }).host, 'http://10.0.0.5:7420');
});

test('environment precedence: --env > SHOAL_ENV > config file > none', () => {
  assert.equal(resolveConnection({ flagEnv: 'prod', vars: { SHOAL_ENV: 'dev' }, config: { env: 'test' } }).env, 'prod');
  assert.equal(resolveConnection({ vars: { SHOAL_ENV: 'dev' }, config: { env: 'test' } }).env, 'dev');
  assert.equal(resolveConnection({ vars: {}, config: { env: 'test' } }).env, 'test');
  assert.equal(resolveConnection({ vars: {}, config: {} }).env, undefined);
});

test('config path: $SHOAL_CONFIG, else ~/.shoal/config.json', () => {
  assert.equal(configPath({ SHOAL_CONFIG: '/x/c.json' }, '/home/u'), '/x/c.json');
  assert.equal(configPath({}, '/home/u'), '/home/u/.shoal/config.json');
});

test('writeLocalConfig keeps other keys and writes mode 0600', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-cfg-'));
  const path = join(dir, 'nested', 'config.json');
  assert.deepEqual(await readLocalConfig(path), {});
  await writeLocalConfig({ host: 'http://a:1', env: 'dev' }, path);
  await writeLocalConfig({ host: 'http://b:2' }, path);
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { host: 'http://b:2', env: 'dev' });
  assert.deepEqual(await readLocalConfig(path), { host: 'http://b:2', env: 'dev' });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  await writeFile(path, '{oops');
  await assert.rejects(readLocalConfig(path), (e: unknown) => e instanceof ShoalError && /not valid JSON/.test(e.message));
});

test('--host and --env are read before or after the verb; create keeps --env for variables', async () => {
  const seen: { host?: string; env?: string }[] = [];
  const program = buildProgram(captureIo());
  const service = program.commands.find((c) => c.name() === 'service');
  for (const c of service?.commands ?? []) {
    c.action((...args: unknown[]) => {
      seen.push(connectionFlags(args[args.length - 1] as typeof c));
    });
  }
  await program.parseAsync(['node', 'shoal', '--host', 'http://h:1', '--env', 'prod', 'service', 'ls']);
  await program.parseAsync(['node', 'shoal', 'service', 'ls', '--env', 'dev', '--host', 'http://h:2']);
  await program.parseAsync(['node', 'shoal', '--env', 'prod', 'service', 'create', '--env', 'A=1', 'nginx']);
  assert.deepEqual(seen, [
    { host: 'http://h:1', env: 'prod' },
    { host: 'http://h:2', env: 'dev' },
    { env: 'prod' },
  ]);
});
