import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createLogger } from '../../lib/logger.js';
import { memoryStore } from '../../manager/auth/test-store.test-util.js';
import { SecretBox } from '../../manager/ca/secret-box.js';
import { loopbackAuthorizer } from '../../manager/http/authorizer.js';
import { buildSecretRoutes } from '../../manager/http/secret-routes.js';
import { createHttpServer } from '../../manager/http/server.js';
import { FileApi } from '../../manager/secrets/file-api.js';
import type { CliIo } from '../io.js';
import { run } from '../program.js';
import { captureIo } from '../test-fixtures.test.js';

// The commands against the real secret routes (no credentials: the loopback authorizer).
const store = memoryStore();
const box = SecretBox.forTest();
const app = createHttpServer({
  routes: buildSecretRoutes(() => ({ secrets: new FileApi({ kind: 'secret', store, box }), configs: new FileApi({ kind: 'config', store, box }) })),
  authorizer: loopbackAuthorizer,
  logger: createLogger('test', 'silent'),
});
const dir = mkdtempSync(join(tmpdir(), 'shoal-secret-cli-'));
let host = '';
before(async () => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  host = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const shoal = async (args: string[], over: Partial<CliIo> = {}) => {
  const io = captureIo({ env: { SHOAL_HOST: host, SHOAL_CONFIG: '/nonexistent/config.json' }, ...over });
  const code = await run(['node', 'shoal', ...args], io);
  return { code, out: io.stdout.join(''), err: io.stderr.join('') };
};

test('secret create from a file and from stdin, ls, inspect (no content), rotate, rm', async () => {
  const file = join(dir, 'pw.txt');
  writeFileSync(file, 's3cr3t-from-file');
  assert.deepEqual(await shoal(['secret', 'create', 'db', file, '--label', 'team=a']), { code: 0, out: 'db (version 1)\n', err: '' });
  const piped = await shoal(['secret', 'create', 'api', '-'], { readStdin: () => Promise.resolve('s3cr3t-from-stdin'), stdinIsTTY: false });
  assert.equal(piped.code, 0, piped.err);
  const tty = await shoal(['secret', 'create', 'other', '-'], { readStdin: () => Promise.resolve('x'), stdinIsTTY: true });
  assert.match(tty.err, /pipe it in/);
  assert.notEqual(tty.code, 0);
  const missing = await shoal(['secret', 'create', 'other', join(dir, 'nope')]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.err, /no such file/);

  const ls = await shoal(['secret', 'ls']);
  assert.equal(ls.code, 0);
  assert.match(ls.out, /NAME\s+VERSION/);
  assert.match(ls.out, /\bdb\s+1\b/);
  assert.deepEqual((await shoal(['secret', 'ls', '-q'])).out, 'api\ndb\n');

  const inspect = await shoal(['secret', 'inspect', 'db']);
  const [view] = JSON.parse(inspect.out) as { name: string; labels: Record<string, string> }[];
  assert.equal(view?.name, 'db');
  assert.deepEqual(view?.labels, { team: 'a' });
  const rotated = await shoal(['secret', 'rotate', 'db', '-'], { readStdin: () => Promise.resolve('next'), stdinIsTTY: false });
  assert.equal(rotated.out, 'db (version 2)\n');
  const noContent = await shoal(['secret', 'inspect', '--content', 'db']);
  assert.notEqual(noContent.code, 0, 'secrets have no --content');
  for (const r of [ls, inspect, rotated]) assert.ok(!r.out.includes('s3cr3t'));

  const rm = await shoal(['secret', 'rm', 'db', 'nope', 'api']);
  assert.equal(rm.out, 'db\napi\n');
  assert.match(rm.err, /secret "nope" not found/);
  assert.equal(rm.code, 1);
  assert.equal((await shoal(['secret', 'ls', '-q'])).out, '');
});

test('config inspect --content prints the content; config ls shows it like secrets', async () => {
  const file = join(dir, 'site.conf');
  writeFileSync(file, 'server { listen 80; }\n');
  assert.equal((await shoal(['config', 'create', 'site', file])).code, 0);
  assert.equal((await shoal(['config', 'inspect', '--content', 'site'])).out, 'server { listen 80; }\n');
  assert.match((await shoal(['config', 'ls'])).out, /\bsite\s+1\b/);
  assert.equal((await shoal(['config', 'rm', 'site'])).code, 0);
});
