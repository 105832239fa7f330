import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './ownedProcess';
import { findFreePort } from './polling';
import { startAlertscale, type RunningAlertscale } from './startAlertscale';

export interface RunningAlertmanager {
  url: string;
  postAlerts: (alerts: Array<{ labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string }>) => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * A real Alertmanager on loopback whose only receiver is alertscale at `webhookUrl`,
 * with the bearer token from a credentials file, and fast group timings;
 * `extraConfig` lines are appended to its config (e.g. inhibit_rules).
 */
export async function startAlertmanager(webhookUrl: string, token: string, options: { extraConfig?: string[] } = {}): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'alertscale-am-'));
  const port = await findFreePort();
  writeFileSync(join(dir, 'token'), token);
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: alertscale',
      '  group_by: [scale_service, scale_action]',
      '  group_wait: 1s',
      '  group_interval: 2s',
      '  repeat_interval: 1h',
      'receivers:',
      '- name: alertscale',
      '  webhook_configs:',
      `  - url: '${webhookUrl}'`,
      '    send_resolved: true',
      '    http_config:',
      '      authorization:',
      `        credentials_file: '${join(dir, 'token')}'`,
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  const child = spawn(
    BIN.alertmanager,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += String(chunk)));
  child.stderr?.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => (output += `spawn failed: ${error.message}`));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  while (
    !(await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Alertmanager (${BIN.alertmanager}) did not start; run \`npm run setup\`:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    postAlerts: async (alerts) => {
      const response = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!response.ok) throw new Error(`Alertmanager refused alerts: ${response.status} ${await response.text()}`);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real Alertmanager and, behind it as its receiver, alertscale as a process with ALERTMANAGER_URL (and `env`). */
export async function startAlertscaleBehindAlertmanager(
  token: string,
  options: { extraConfig?: string[]; env?: Record<string, string> } = {},
): Promise<{ alertmanager: RunningAlertmanager; alertscale: RunningAlertscale; stop: () => Promise<void> }> {
  const port = await findFreePort();
  const alertmanager = await startAlertmanager(`http://127.0.0.1:${port}/webhook`, token, options);
  const alertscale = await startAlertscale({ PORT: String(port), WEBHOOK_TOKEN: token, ALERTMANAGER_URL: alertmanager.url, ...(options.env ?? {}) }).catch(async (error: Error) => {
    await alertmanager.stop();
    throw error;
  });
  return {
    alertmanager,
    alertscale,
    stop: async () => {
      await alertscale.stop();
      await alertmanager.stop();
    },
  };
}
