import { existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { uniqueName } from '../../harness/docker';
import { fixtureFor, refired } from '../../harness/notifications';
import { startAlertscale, type RunningAlertscale } from '../../harness/startAlertscale';
import { createTestService, removeOrphanedServices, removeTestServices } from '../../harness/swarmServices';

/** Debian's chromium, installed by `npm run setup` (scripts/setup-test-env.sh): no browser is ever downloaded. */
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT_DIR = join(__dirname, '..', '..', 'test-output');
const DOCS_SCREENSHOT = join(__dirname, '..', '..', 'docs', 'status-page.png');
const PREFIX = 'asit-page';
const TOKEN = 'status-page-token';
const HOSTILE = '<script>window.__pwned = 1; alert(1)</script>';

const created: string[] = [];
let alertscale: RunningAlertscale;
let browser: Browser;

async function aService(labels: Record<string, string>, replicas = 1): Promise<string> {
  const name = uniqueName(PREFIX);
  created.push(name);
  await createTestService(name, { replicas, labels: { 'alertscale.enabled': 'true', 'alertscale.max': '4', ...labels } });
  return name;
}

async function notify(service: string, action: 'up' | 'down' = 'up'): Promise<{ outcome: string }> {
  const payload = refired(fixtureFor('firing-one-alert', service, { scale_action: action }));
  const response = await fetch(`${alertscale.url}/webhook`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { decisions: Array<{ outcome: string }> }).decisions[0] as { outcome: string };
}

/** Opens the page, failing on any console error, page error or dialog (an injected script would raise one). */
async function openStatusPage(path = '/'): Promise<{ page: Page; problems: string[]; loadMs: number }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  const started = Date.now();
  const response = await page.goto(`${alertscale.url}${path}`, { waitUntil: 'load' });
  const loadMs = Date.now() - started;
  expect(response?.status()).toBe(200);
  return { page, problems, loadMs };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`npm run setup\` (installs Debian's chromium)`);
  await removeOrphanedServices(PREFIX);
  alertscale = await startAlertscale({ WEBHOOK_TOKEN: TOKEN, DOCKER_HOST: 'unix:///var/run/docker.sock', ALERTMANAGER_URL: 'http://127.0.0.1:9' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(OUTPUT_DIR, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await alertscale?.stop();
  await removeTestServices(created);
});

describe('the status page in a real Chromium', () => {
  test('when real decisions were made (scaled, cooldown, invalid_policy, paused), then each service row and decision shows the right numbers and reason, and nothing hostile runs', async () => {
    const scaled = await aService({ 'alertscale.cooldown.up': '0s' });
    const cooling = await aService({ 'alertscale.cooldown.up': '10m' });
    const invalid = await aService({ 'alertscale.max': HOSTILE });
    const paused = await aService({ 'alertscale.paused': 'true' });
    expect(await notify(scaled)).toMatchObject({ outcome: 'scaled' });
    expect(await notify(cooling)).toMatchObject({ outcome: 'scaled' });
    expect(await notify(cooling)).toMatchObject({ outcome: 'cooldown' });
    expect(await notify(invalid)).toMatchObject({ outcome: 'invalid_policy' });
    expect(await notify(paused)).toMatchObject({ outcome: 'paused' });

    const { page, problems } = await openStatusPage(`/?outcome=`);
    const row = (name: string) => page.locator(`tr[data-service="${name}"]`);
    await expect(row(scaled).innerText()).resolves.toMatch(/2\s+\(1 – 4\)[\s\S]*alertscale up 1 → 2/);
    await expect(row(cooling).innerText()).resolves.toMatch(/up in (9|10) min/);
    await expect(row(invalid).innerText()).resolves.toContain(`invalid_policy: label alertscale.max="${HOSTILE}"`);
    await expect(row(paused).innerText()).resolves.toMatch(/paused/);
    await expect(row(scaled).locator('a', { hasText: 'silences' }).getAttribute('href')).resolves.toContain('http://127.0.0.1:9/#/silences?filter=');
    const decisions = await page.locator('table.decisions tbody').innerText();
    expect(decisions).toMatch(new RegExp(`${cooling}\\s+up\\s+cooldown\\s+2 → 3\\s+cooldown: next up allowed at`));
    expect(decisions).toMatch(new RegExp(`${paused}\\s+up\\s+paused[\\s\\S]*alertscale.paused=true`));
    expect(await page.evaluate('typeof globalThis.__pwned')).toBe('undefined');
    expect(problems).toEqual([]);

    const screenshot = join(OUTPUT_DIR, 'status-page.png');
    await page.locator('body').screenshot({ path: screenshot });
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') copyFileSync(screenshot, DOCS_SCREENSHOT);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator(`tr[data-service="${scaled}"]`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUTPUT_DIR, 'status-page-phone.png'), fullPage: false });
    await page.close();
  }, 120_000);

  test('when 100 services are opted in and 500 decisions were made, then the page loads well under a second with no console error', async () => {
    const names: string[] = [];
    for (let index = 0; index < 100; index += 1) names.push(await aService({ 'alertscale.min': '0' }, 0));
    // A down at min 0 is at_bound: a real decision per notification, no Docker write.
    for (let round = 0; round < 5; round += 1) await Promise.all(names.map((name) => notify(name, 'down')));
    const { page, problems, loadMs } = await openStatusPage();
    const serviceRows = await page.locator('table.services tbody tr').count();
    const decisionRows = await page.locator('table.decisions tbody tr').count();
    process.stdout.write(`[status page] ${serviceRows} service rows, ${decisionRows} decision rows, loaded in ${loadMs} ms\n`);
    expect(serviceRows).toBeGreaterThanOrEqual(100);
    expect(decisionRows).toBe(500);
    expect(loadMs).toBeLessThan(1000);
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);
});
