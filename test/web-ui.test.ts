import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createLogger } from '../src/lib/logger.js';
import { startManager, type RunningManager } from '../src/manager/manager.js';
import { SqliteStore } from '../src/manager/store/sqlite-store.js';
import { printedAdminPassword } from './harness/admin-client.js';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { waitFor } from './harness/wait.js';

/**
 * The web UI in a real browser (Debian chromium through playwright-core) against a real
 * `shoal up`, which requires a credential on every API call: the page logs in through its form
 * with the administrator password `shoal up` printed. Needs the bundle: `npm run build` writes
 * dist/web/ (scripts/test.sh builds first).
 * SHOAL_WEB_UI_SCREENSHOTS=DIR keeps the screenshots in DIR instead of a temp dir.
 */

const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Waits until the locator's text (trimmed) is `text`; playwright-core has no `expect`. */
async function waitForText(locator: Locator, text: string, timeoutMs = 30000): Promise<void> {
  await waitFor(`"${text}" in ${locator.toString()}`, async () => ((await locator.first().textContent({ timeout: 1000 }))?.trim() === text ? true : undefined), timeoutMs, 100);
}

/** The session the page keeps for its tab; undefined when it holds none. */
async function storedSession(page: Page): Promise<{ token: string; username: string } | undefined> {
  const raw = await page.evaluate(() => sessionStorage.getItem('shoal.session'));
  return raw ? (JSON.parse(raw) as { token: string; username: string }) : undefined;
}

/** What the manager answers a session token now. */
async function whoamiStatus(baseUrl: string, token: string): Promise<number> {
  return (await fetch(`${baseUrl}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('web UI', () => {
  const cluster = new EmbeddedCluster();
  const tmp = mkdtempSync(join(tmpdir(), 'shoal-web-ui-'));
  const shots = process.env.SHOAL_WEB_UI_SCREENSHOTS ?? join(tmp, 'screenshots');
  const pageErrors: string[] = [];
  let context: BrowserContext | undefined;
  let page: Page;
  let adminPassword = '';

  /** Opens the page, expects the login view, and logs in as the administrator through the form. */
  async function logIn(hash = '#/services'): Promise<void> {
    await page.goto(`${cluster.url}/${hash}`);
    await page.locator('#login-username').waitFor({ timeout: 10000 });
    await page.fill('#login-username', 'admin');
    await page.fill('#login-password', adminPassword);
    await page.click('form.login-form button[type="submit"]');
    await waitForText(page.locator('.user-menu .user-name'), 'admin', 10000);
    // Live: the stream is open and the view's first load is done, so no call of the page is in flight.
    await waitFor('the live indicator', async () => (await page.getAttribute('.conn', 'data-state')) === 'live', 15000, 100);
  }

  before(async () => {
    mkdirSync(shots, { recursive: true });
    await cluster.start();
    adminPassword = printedAdminPassword(cluster.log()) ?? '';
    assert.ok(adminPassword, `shoal up printed no administrator password:\n${cluster.log()}`);
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
    // The page is public; the API behind it is not.
    assert.equal((await fetch(`${cluster.url}/v1/services`)).status, 401);
  });

  test('a wrong password shows the manager\'s message and stays on the login view', async () => {
    await page.goto(`${cluster.url}/#/services`);
    await page.locator('#login-username').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('header.topbar').count(), 0, 'the app is shown without a login');
    await page.fill('#login-username', 'admin');
    await page.fill('#login-password', `${adminPassword}-wrong`);
    await page.click('form.login-form button[type="submit"]');
    await waitFor('the refusal', async () => /wrong username or password/.test((await page.locator('.login-message.error').textContent()) ?? ''), 10000, 100);
    assert.ok(await page.locator('#login-password').isVisible());
    assert.equal(await page.locator('#login-password').inputValue(), '', 'the wrong password is cleared');
    assert.equal(await page.locator('header.topbar').count(), 0);
    assert.equal(await storedSession(page), undefined);
    await page.screenshot({ path: join(shots, 'login-refused.png'), fullPage: true });
  });

  test('logging in keeps the token in this tab\'s sessionStorage only: not localStorage, cookies, the URL or the page', async () => {
    await logIn();
    const session = await storedSession(page);
    assert.ok(session && session.token.startsWith('shoal-session-'), 'the page keeps no session token in sessionStorage');
    assert.equal(session.username, 'admin');
    assert.equal(await whoamiStatus(cluster.url, session.token), 200);
    const local = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
    assert.ok(!local.includes(session.token), 'the token is in localStorage');
    const cookies = await context?.cookies();
    assert.ok(!JSON.stringify(cookies ?? []).includes(session.token), 'the token is in a cookie');
    assert.ok(!page.url().includes(session.token), 'the token is in the page URL');
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    assert.ok(!html.includes(session.token), 'the token is in the page');
    // The environment selector shows exactly when the manager lists environments.
    const envs = await fetch(`${cluster.url}/v1/environments`, { headers: { authorization: `Bearer ${session.token}` } });
    if (envs.ok) await waitFor('the environment selector', async () => (await page.locator('#env-select').inputValue()) === 'default', 10000, 100);
    else assert.equal(await page.locator('label.env-picker').isHidden(), true, `the selector shows though /v1/environments answered ${envs.status}`);
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

  test('the page reconnects when the event stream drops and stays live and logged in', async () => {
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
    assert.equal(await page.locator('#login-username').count(), 0, 'the restart logged the page out');
    await page.screenshot({ path: join(shots, 'after-reconnect.png'), fullPage: true });
  });

  test('logging out returns to the login view and ends the session on the manager', async () => {
    await page.goto(`${cluster.url}/#/services`);
    if ((await storedSession(page)) === undefined) await logIn();
    await waitForText(page.locator('.user-menu .user-name'), 'admin', 10000);
    const token = (await storedSession(page))?.token ?? '';
    assert.equal(await whoamiStatus(cluster.url, token), 200);
    await page.click('.user-menu button.logout');
    await waitFor('the logged-out notice', async () => (await page.locator('.login-message.info').textContent()) === 'You have logged out.', 10000, 100);
    assert.equal(await page.locator('header.topbar').count(), 0);
    assert.equal(await storedSession(page), undefined);
    assert.equal(await whoamiStatus(cluster.url, token), 401, 'the old token still works');
    await page.screenshot({ path: join(shots, 'logged-out.png'), fullPage: true });
  });

  test('a session ended elsewhere brings back the login view with the reason', async () => {
    await logIn('#/services');
    const token = (await storedSession(page))?.token ?? '';
    const ended = await fetch(`${cluster.url}/v1/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(ended.status, 200);
    // The page's next call is refused.
    await page.click('nav.tabs >> text=Nodes');
    await page.locator('#login-username').waitFor({ timeout: 10000 });
    assert.match((await page.locator('.login-message.error').textContent()) ?? '', /logged out: the session is unknown or has expired/);
    assert.equal(await storedSession(page), undefined);
    // Logging in again lands on the view the user was on.
    await page.fill('#login-username', 'admin');
    await page.fill('#login-password', adminPassword);
    await page.click('form.login-form button[type="submit"]');
    await page.locator(`tr[data-node-id="${cluster.nodeId}"]`).waitFor({ timeout: 10000 });
    assert.deepEqual(pageErrors, []);
  });

  test('repeated failed logins are throttled and the page says so', async () => {
    await page.goto(`${cluster.url}/#/services`);
    if ((await storedSession(page)) !== undefined) await page.click('.user-menu button.logout');
    await page.locator('#login-username').waitFor({ timeout: 10000 });
    const submit = page.locator('form.login-form button[type="submit"]');
    // An account of its own, so the throttle never locks the administrator out of later tests.
    let message = '';
    for (let attempt = 1; attempt <= 8 && !/too many failed logins/.test(message); attempt++) {
      await page.fill('#login-username', 'nobody-here');
      await page.fill('#login-password', `guess-${attempt}`);
      await submit.click();
      message = await waitFor(
        `the answer to attempt ${attempt}`,
        async () => {
          const text = await page.locator('.login-message.error').textContent();
          return (await submit.isEnabled()) && text ? text : undefined;
        },
        10000,
        50,
      );
    }
    assert.match(message, /too many failed logins.*retry in \d+ s.*\[resource_exhausted\]/);
    assert.equal(await storedSession(page), undefined);
  });
});

describe('web UI on a manager without authentication', () => {
  // Only in-process managers run open (no command offers it); the page must then skip the login.
  const tmp = mkdtempSync(join(tmpdir(), 'shoal-web-ui-open-'));
  const store = new SqliteStore(join(tmp, 'shoal.db'));
  let manager: RunningManager | undefined;
  let context: BrowserContext | undefined;

  before(async () => {
    manager = await startManager({ store, logger: createLogger('web-ui-test', 'silent'), dataDir: join(tmp, 'manager'), host: '127.0.0.1', port: 0, agentPort: 0, auth: 'open' });
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), { executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs });
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await manager?.stop();
    await store.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the page shows the cluster at once, with no login view and no user', async () => {
    const page = context?.pages()[0] ?? (await context?.newPage());
    assert.ok(page && manager);
    await page.goto(`${manager.url}/#/nodes`);
    await waitFor('the live indicator', async () => (await page.getAttribute('.conn', 'data-state')) === 'live', 15000, 100);
    await page.locator('h2:has-text("Nodes")').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#login-username').count(), 0);
    assert.equal(await page.locator('.user-menu').count(), 0);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  });
});
