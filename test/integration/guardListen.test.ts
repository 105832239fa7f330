import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../harness/polling';
import { GUARD_JS } from '../../harness/startGuard';

function getOverSocket(socketPath: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath, path }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('the guard process', () => {
  test('when GUARD_LISTEN is a Unix socket, then it answers there, owner and group only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertscale-guard-'));
    const socketPath = join(dir, 'docker.sock');
    const child = spawn(process.execPath, [GUARD_JS], { env: { PATH: process.env.PATH ?? '', GUARD_LISTEN: `unix://${socketPath}`, LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    try {
      expect(await waitFor('the guard socket', () => getOverSocket(socketPath, '/v1.41/_ping').catch(() => undefined), 10_000, 50)).toBe(200);
      expect(statSync(socketPath).mode & 0o777).toBe(0o660);
      expect(await getOverSocket(socketPath, '/v1.41/containers/json')).toBe(403);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('when its configuration is invalid, then it exits 1 naming the variable', async () => {
    const child = spawn(process.execPath, [GUARD_JS], { env: { PATH: process.env.PATH ?? '', GUARD_MODE: 'everything' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/GUARD_MODE/);
  });
});
