import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchReportingUnauthenticated } from './session-watch.js';

const answer = (status: number, body: string): typeof fetch => () => Promise.resolve(new Response(body, { status, headers: { 'content-type': 'application/json' } }));

test('a 401 is reported with the manager\'s message and still reaches the caller', async () => {
  const reports: string[] = [];
  const body = JSON.stringify({ error: { code: 'unauthenticated', message: 'the session is unknown or has expired; log in again' } });
  const f = fetchReportingUnauthenticated((m) => reports.push(m), answer(401, body));
  const res = await f('http://manager/v1/nodes');
  assert.deepEqual(reports, ['the session is unknown or has expired; log in again']);
  assert.equal(res.status, 401);
  assert.equal(await res.text(), body, 'the caller reads the whole body, as without the wrapper');
});

test('a 401 without a Shoal error body is still reported', async () => {
  const reports: string[] = [];
  await fetchReportingUnauthenticated((m) => reports.push(m), answer(401, '<html>proxy</html>'))('http://manager/v1/nodes');
  assert.equal(reports.length, 1);
  assert.match(reports[0] ?? '', /no longer accepts this session/);
});

test('other answers, refusals included, are not reported', async () => {
  for (const status of [200, 403, 404, 429, 500]) {
    const reports: string[] = [];
    const res = await fetchReportingUnauthenticated((m) => reports.push(m), answer(status, '{}'))('http://manager/v1/nodes');
    assert.equal(res.status, status);
    assert.deepEqual(reports, [], String(status));
  }
});
