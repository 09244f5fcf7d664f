import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError } from '../../api/errors.js';
import { captureIo } from '../test-fixtures.test.js';
import { askHidden, askNewPassword, generatePassword, readStdinLines } from './password-input.js';

const withStdin = (text: string) => captureIo({ readStdin: () => Promise.resolve(text) });
const invalid = (pattern: RegExp) => (e: unknown) => e instanceof ShoalError && e.code === 'invalid_argument' && pattern.test(e.message);

test('--password-stdin: one trailing line end is not part of the password; missing lines are refused', async () => {
  assert.deepEqual(await readStdinLines(withStdin('pw with spaces \n'), 1), ['pw with spaces ']);
  assert.deepEqual(await readStdinLines(withStdin('no-newline'), 1), ['no-newline']);
  assert.deepEqual(await readStdinLines(withStdin('old\r\nnew\r\n'), 2), ['old', 'new']);
  await assert.rejects(readStdinLines(withStdin(''), 1), invalid(/must hold a password/));
  await assert.rejects(readStdinLines(withStdin('\n'), 1), invalid(/must hold a password/));
  await assert.rejects(readStdinLines(withStdin('only-one\n'), 2), invalid(/current password, then the new one/));
});

test('prompts need a terminal; a new password must be typed the same twice', async () => {
  await assert.rejects(askHidden(captureIo(), 'Password: '), invalid(/--password-stdin/));
  const answers = ['first-password', 'other-password'];
  const asked: { question: string; hidden: boolean }[] = [];
  const io = captureIo({ stdinIsTTY: true, prompt: (question, opts) => (asked.push({ question, hidden: opts.hidden }), Promise.resolve(answers.shift() ?? '')) });
  await assert.rejects(askNewPassword(io), invalid(/differ/));
  assert.deepEqual(asked, [{ question: 'New password: ', hidden: true }, { question: 'Repeat it: ', hidden: true }]);
});

test('generated passwords are long and differ', () => {
  const a = generatePassword();
  assert.match(a, /^[A-Za-z0-9_-]{24}$/);
  assert.notEqual(a, generatePassword());
});
