import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decoyHash, hashPassword, verifyPassword } from './password-hash.js';

test('a password verifies against its own hash only; salts differ per hash', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.match(a, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.notEqual(a, b);
  assert.ok(!a.includes('correct horse'));
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('malformed stored hashes and absurd parameters are refused, not thrown', async () => {
  for (const bad of ['', 'plain', 'scrypt$1$1$1$x$y', 'bcrypt$16384$8$1$aa$bb', `scrypt$${2 ** 30}$8$1$aaaa$${'a'.repeat(43)}`]) {
    assert.equal(await verifyPassword('x', bad), false, bad);
  }
  assert.equal(await verifyPassword('anything', await decoyHash()), false);
});
