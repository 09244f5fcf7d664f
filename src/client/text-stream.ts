/**
 * Decoded text chunks of a byte stream. A reader loop rather than `for await` over the stream,
 * because the DOM typings fetch's body comes with do not declare the stream async-iterable.
 * Leaving the loop early cancels the stream, which closes the connection.
 */
export async function* readText(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let done = false;
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      const text = decoder.decode(chunk.value, { stream: true });
      if (text) yield text;
    }
    done = true;
    const rest = decoder.decode();
    if (rest) yield rest;
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
