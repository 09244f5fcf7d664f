import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { waitFor } from './harness/wait.js';

/**
 * The web UI in a real browser (Debian chromium through playwright-core) against a real
 * `shoal up`. Needs the bundle: `npm run build` writes dist/web/ (scripts/test.sh builds first).
 * SHOAL_WEB_UI_SCREENSHOTS=DIR keeps the screenshots in DIR instead of a temp dir.
 */

const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Waits until the locator's text (trimmed) is `text`; playwright-core has no `expect`. */
async function waitForText(locator: Locator, text: string, timeoutMs = 30000): Promise<void> {
  await waitFor(`"${text}" in ${locator.toString()}`, async () => ((await locator.first().textContent({ timeout: 1000 }))?.trim() === text ? true : undefined), timeoutMs, 100);
}

describe('web UI', () => {
  const cluster = new EmbeddedCluster();
  const tmp = mkdtempSync(join(tmpdir(), 'shoal-web-ui-'));
  const shots = process.env.SHOAL_WEB_UI_SCREENSHOTS ?? join(tmp, 'screenshots');
  const pageErrors: string[] = [];
  let context: BrowserContext | undefined;
  let page: Page;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    await cluster.start();
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await cluster.destroy();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the manager serves the built bundle at / with its content types', async () => {
    const index = await fetch(`${cluster.url}/`);
    const html = await index.text();
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(html.includes('id="app"'), `the UI bundle is missing: run \`npm run build\` first. / answered: ${html.slice(0, 300)}`);
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const js = await fetch(`${cluster.url}/app.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    const css = await fetch(`${cluster.url}/app.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal((await fetch(`${cluster.url}/../package.json`)).status, 404);
  });

  test('nodes and services appear, scaling and drain/activate work from the page, live', async () => {
    const name = uniqueName('ui');
    const label = '<img src=x onerror="window.__xss=1">';
    await cluster.client.createService({ name, spec: webSpec({ replicas: 1, labels: { note: label } }) });

    await page.goto(`${cluster.url}/#/services`);
    await waitFor('the live indicator', async () => (await page.getAttribute('.conn', 'data-state')) === 'live', 15000, 100);
    const serviceRow = page.locator(`tr[data-service="${name}"]`);
    await waitForText(serviceRow.locator('.replica-count'), '1/1');

    // Nodes: the local node, ready and active.
    await page.click('nav.tabs >> text=Nodes');
    const nodeRow = page.locator(`tr[data-node-id="${cluster.nodeId}"]`);
    await waitForText(nodeRow.locator('.node-status'), 'ready');
    await waitForText(nodeRow.locator('.node-availability'), 'active');
    const hostname = (await nodeRow.getAttribute('data-hostname')) ?? '';
    assert.ok(hostname);

    // Scale from the page: the new count arrives through the event stream, without a reload.
    await page.click('nav.tabs >> text=Services');
    await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
    await serviceRow.locator('input.scale-input').fill('3');
    await serviceRow.locator('button:has-text("Scale")').click();
    await waitForText(serviceRow.locator('.replica-count'), '3/3', 60000);
    assert.equal((await cluster.client.getService(name)).spec.replicas, 3);
    assert.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'the page did not reload');

    // Service detail: spec summary and the tasks table; data is text, never markup.
    await serviceRow.locator(`a:has-text("${name}")`).click();
    await waitFor('3 running task rows', async () => (await page.locator('table.tasks tr.current .badge:has-text("running")').count()) === 3, 30000, 100);
    assert.ok(await page.locator('dl.spec').getByText(`note=${label}`).isVisible());
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    await page.screenshot({ path: join(shots, 'service-detail.png'), fullPage: true });

    // Drain the node from the page: tasks leave it, the page follows; then activate it again.
    await page.click('nav.tabs >> text=Nodes');
    await nodeRow.locator(`button[aria-label="Drain ${hostname}"]`).click();
    await waitForText(nodeRow.locator('.node-availability'), 'drain');
    assert.equal((await cluster.client.getNode(cluster.nodeId)).availability, 'drain');
    await page.click('nav.tabs >> text=Services');
    await waitForText(serviceRow.locator('.replica-count'), '0/3', 60000);
    // The tasks wait with the scheduler's reason, shown in the service's tasks table.
    await serviceRow.locator(`a:has-text("${name}")`).click();
    await page.locator('table.tasks tr.current').getByText('not available for new tasks').first().waitFor({ timeout: 30000 });
    await page.screenshot({ path: join(shots, 'service-pending.png'), fullPage: true });

    await page.click('nav.tabs >> text=Nodes');
    await nodeRow.locator(`button[aria-label="Activate ${hostname}"]`).click();
    await waitForText(nodeRow.locator('.node-availability'), 'active');
    assert.equal((await cluster.client.getNode(cluster.nodeId)).availability, 'active');
    await page.screenshot({ path: join(shots, 'nodes.png'), fullPage: true });
    await page.click('nav.tabs >> text=Services');
    await waitForText(serviceRow.locator('.replica-count'), '3/3', 60000);
    await page.screenshot({ path: join(shots, 'services.png'), fullPage: true });
    assert.ok(statSync(join(shots, 'services.png')).size > 1000);

    // The events view lists what happened, newest first.
    await page.click('nav.tabs >> text=Events');
    await page.locator('table.events .action:has-text("service.scale")').first().waitFor({ timeout: 10000 });
    const revisions = await page.locator('table.events tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-revision'))));
    assert.deepEqual(revisions, [...revisions].sort((a, b) => b - a));
    await page.screenshot({ path: join(shots, 'events.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });

  test('API errors are shown as readable messages', async () => {
    await page.goto(`${cluster.url}/#/services/no-such-service`);
    const error = page.locator('.errors .error-text');
    await error.waitFor({ timeout: 10000 });
    assert.match((await error.textContent()) ?? '', /no-such-service.*\[not_found\]/);
  });

  test('the page reconnects when the event stream drops and stays live', async () => {
    const name = uniqueName('reconnect');
    await cluster.client.createService({ name, spec: webSpec({ replicas: 1 }) });
    await page.goto(`${cluster.url}/#/services`);
    const row = page.locator(`tr[data-service="${name}"]`);
    await waitForText(row.locator('.replica-count'), '1/1', 60000);
    await cluster.stop();
    await waitFor('the reconnecting indicator', async () => (await page.getAttribute('.conn', 'data-state')) === 'reconnecting', 15000, 100);
    await cluster.start();
    await waitFor('the live indicator again', async () => (await page.getAttribute('.conn', 'data-state')) === 'live', 30000, 100);
    await cluster.client.scaleService(name, 2);
    await waitForText(row.locator('.replica-count'), '2/2', 60000);
    await page.screenshot({ path: join(shots, 'after-reconnect.png'), fullPage: true });
  });
});
