import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wantsHistory } from './events.js';
import { run } from './program.js';
import { captureIo } from './test-fixtures.test.js';

test('events: a revision (or nothing) streams live; a time, a duration or a filter lists the history', () => {
  assert.equal(wantsHistory({}), false);
  assert.equal(wantsHistory({ since: '42' }), false);
  assert.equal(wantsHistory({ since: '30m' }), true);
  assert.equal(wantsHistory({ since: '2024-05-01' }), true);
  assert.equal(wantsHistory({ actor: 'alice' }), true);
  assert.equal(wantsHistory({ since: '42', object: 'service/web' }), true);
});

test('events: contradictory or malformed flags fail in one line before any request', async () => {
  const shoal = async (...args: string[]) => {
    const io = captureIo({ env: { SHOAL_HOST: 'http://127.0.0.1:9', SHOAL_CONFIG: '/nonexistent/config.json' } });
    const code = await run(['node', 'shoal', ...args], io);
    return { code, err: io.stderr.join('') };
  };
  assert.deepEqual(await shoal('events', '--since', '7', '--actor', 'a'), {
    code: 1,
    err: 'shoal: --since "7": a revision number is for the live stream; give a time or a duration (30m, 2h, 7d) to list the history\n',
  });
  assert.deepEqual(await shoal('events', '--since', '1h', '--kind', 'task'), { code: 1, err: 'shoal: --kind "task": filters the live stream only; use --object or --action with the history\n' });
  assert.match((await shoal('events', '--until', 'soon')).err, /^shoal: --until "soon": .*30m, 2h, 7d/);
  assert.match((await shoal('audit', 'ls', '--limit', 'lots')).err, /^shoal: --limit "lots": /);
});
