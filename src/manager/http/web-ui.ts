import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { ShoalHttpServer } from './server.js';

/**
 * Serves the web UI bundle (`npm run build` writes it to dist/web/) at `/`. The files are read
 * on each request, so a rebuild shows up without restarting the manager, and a missing bundle
 * (running from src/ through tsx before any build) is a page that says how to build it.
 */

const contentTypes: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** The page only loads its own files and talks only to this manager. */
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface WebUiOptions {
  /** Folder holding index.html, app.js and app.css. Default: dist/web of the package. */
  dir?: string;
}

export function registerWebUi(app: ShoalHttpServer, options: WebUiOptions = {}): void {
  const dir = options.dir ?? defaultWebDir();
  app.get('/', (_request, reply) => sendFile(reply, dir, 'index.html'));
  for (const name of Object.keys(contentTypes)) {
    app.get(`/${name}`, (_request, reply) => sendFile(reply, dir, name));
  }
}

async function sendFile(reply: FastifyReply, dir: string, name: string): Promise<FastifyReply> {
  let body: Buffer;
  try {
    body = await readFile(join(dir, name));
  } catch {
    if (name === 'index.html') return sendNotBuilt(reply, dir);
    reply.callNotFound();
    return reply;
  }
  void reply
    .header('content-type', contentTypes[name] ?? 'application/octet-stream')
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff');
  if (name === 'index.html') void reply.header('content-security-policy', contentSecurityPolicy);
  return reply.send(body);
}

function sendNotBuilt(reply: FastifyReply, dir: string): FastifyReply {
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shoal</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Shoal</h1>
<p>The web UI is not built: no bundle in <code>${escapeHtml(dir)}</code>.</p>
<p>Build it with <code>npm run build</code> in the Shoal folder, then reload this page. The REST API under <code>/v1</code> works without it.</p>
</body></html>
`;
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .send(page);
}

/** dist/web under the package root, found from this file whether it runs from dist/ or src/. */
export function defaultWebDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (isShoalPackage(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // Not inside the package (bundled elsewhere): the layout is dist|src/manager/http/.
  return fileURLToPath(new URL('../../../dist/web', import.meta.url));
}

function isShoalPackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'shoal';
  } catch {
    return false;
  }
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
