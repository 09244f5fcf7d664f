import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSse, SseParser } from './sse.js';

test('parses events split at any point, with any line ending', () => {
  const text = ': shoal event stream\r\n\r\nid: 7\r\nevent: shoal\r\ndata: {"a":1}\r\n\r\nid: 8\nevent: shoal\ndata: line1\ndata: line2\n\n: keep-alive\n\n';
  // Every split position, so chunk borders inside "\r\n" and inside fields are covered.
  for (let cut = 0; cut <= text.length; cut++) {
    const parser = new SseParser();
    const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
    assert.deepEqual(
      events,
      [
        { id: '7', event: 'shoal', data: '{"a":1}' },
        { id: '8', event: 'shoal', data: 'line1\nline2' },
      ],
      `cut at ${cut}`,
    );
  }
});

test('defaults, bare fields and an unterminated last event', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('data\n\ndata:x\n\nevent: e\n\n'), [
    { event: 'message', data: '' },
    { event: 'message', data: 'x' },
  ]);
  assert.deepEqual(parser.push('data: lost'), []);
  parser.end();
  assert.deepEqual(parser.push('\n\n'), []);
});

test('the id carries over to later events, as the spec says', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('id: 3\ndata: a\n\ndata: b\n\n'), [
    { id: '3', event: 'message', data: 'a' },
    { id: '3', event: 'message', data: 'b' },
  ]);
});

test('readSse reads a byte stream split inside a multi-byte character', async () => {
  const bytes = new TextEncoder().encode('data: héllo\n\n');
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.slice(0, 8));
      controller.enqueue(bytes.slice(8));
      controller.close();
    },
  });
  const out = [];
  for await (const m of readSse(body)) out.push(m);
  assert.deepEqual(out, [{ event: 'message', data: 'héllo' }]);
});
