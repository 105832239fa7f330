import { existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { uniqueName } from '../../harness/docker';
import { fixtureFor, refired } from '../../harness/notifications';
import { waitFor } from '../../harness/polling';
import { startAlertscaleBehindAlertmanager } from '../../harness/startAlertmanager';
import { createTestService, removeOrphanedServices, removeTestServices } from '../../harness/swarmServices';

/** Debian's chromium, installed by `npm run setup` (scripts/setup-test-env.sh): no browser is ever downloaded. */
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT_DIR = join(__dirname, '..', '..', 'test-output');
const DOCS_SCREENSHOT = join(__dirname, '..', '..', 'docs', 'status-page.png');
const PREFIX = 'asit-page';
const TOKEN = 'status-page-token';
const HOSTILE = '<script>window.__pwned = 1; alert(1)</script>';

const created: string[] = [];
let both: Awaited<ReturnType<typeof startAlertscaleBehindAlertmanager>>;
let alertscale: { url: string };
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

async function silence(service: string, alertname: string): Promise<void> {
  const now = Date.now();
  const response = await fetch(`${both.alertmanager.url}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: [
        { name: 'scale_service', value: service, isRegex: false, isEqual: true },
        { name: 'alertname', value: alertname, isRegex: false, isEqual: true },
      ],
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
      createdBy: 'alertscale-test',
      comment: 'status page test',
    }),
  });
  expect(response.status).toBe(200);
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
  both = await startAlertscaleBehindAlertmanager(TOKEN);
  alertscale = both.alertscale;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(OUTPUT_DIR, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await both?.stop();
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
    // Alertmanager's view of the paused service: one alert silenced, one active.
    await silence(paused, 'CpuHigh');
    await both.alertmanager.postAlerts([
      { labels: { alertname: 'CpuHigh', scale_service: paused, scale_action: 'up' } },
      { labels: { alertname: 'LatencyHigh', scale_service: paused, scale_action: 'up' } },
    ]);
    await waitFor('Alertmanager to hold both alerts', async () => {
      const alerts = (await (await fetch(`${both.alertmanager.url}/api/v2/alerts?filter=scale_service%3D%22${paused}%22`)).json()) as Array<{ status: { state: string } }>;
      return alerts.length === 2 && alerts.some((alert) => alert.status.state === 'suppressed') ? true : undefined;
    });

    const { page, problems } = await openStatusPage(`/?outcome=`);
    const row = (name: string) => page.locator(`tr[data-service="${name}"]`);
    await expect(row(scaled).innerText()).resolves.toMatch(/2\s+\(1 – 4\)[\s\S]*alertscale up 1 → 2/);
    await expect(row(cooling).innerText()).resolves.toMatch(/up in (9|10) min/);
    await expect(row(invalid).innerText()).resolves.toContain(`invalid_policy: label alertscale.max="${HOSTILE}"`);
    await expect(row(paused).innerText()).resolves.toMatch(/paused/);
    await expect(row(paused).locator('.alert.silenced').innerText()).resolves.toBe('CpuHigh (silenced)');
    await expect(row(paused).locator('.alert.active').innerText()).resolves.toBe('LatencyHigh');
    await expect(row(scaled).locator('a', { hasText: 'silences' }).getAttribute('href')).resolves.toContain(`${both.alertmanager.url}/#/silences?filter=`);
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
