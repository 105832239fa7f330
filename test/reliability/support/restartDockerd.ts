import { execFile, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { promisify } from 'node:util';
import { docker } from '../../../harness/docker';
import { sleep } from '../../../harness/polling';

const execFileAsync = promisify(execFile);
const DOCKERD = '/usr/sbin/dockerd';
const DOCKERD_LOG = '/var/log/alertscale-dockerd.log';

async function dockerdPids(): Promise<number[]> {
  const { stdout } = await execFileAsync('pgrep', ['-x', 'dockerd']).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number);
}

/** Stops the real daemon (SIGTERM, as `systemctl stop docker` would) and waits until its API is gone. */
export async function stopDockerd(timeoutMs = 60_000): Promise<void> {
  const pids = await dockerdPids();
  if (pids.length === 0) throw new Error('no dockerd is running: run `npm run setup`');
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while ((await dockerdPids()).length > 0) {
    if (Date.now() > deadline) throw new Error(`dockerd did not stop within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Starts the daemon the way `npm run setup` does and waits until the
 * single-node Swarm manages services again, so later tests find it as before.
 */
export async function startDockerd(timeoutMs = 90_000): Promise<void> {
  if ((await dockerdPids()).length === 0) {
    const log = openSync(DOCKERD_LOG, 'a');
    spawn(DOCKERD, [], { detached: true, stdio: ['ignore', log, log] }).unref();
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await (async () => {
      const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
      if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) return false;
      await docker.listServices();
      return true;
    })().catch(() => false);
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`dockerd and the Swarm were not back within ${timeoutMs} ms; see ${DOCKERD_LOG}`);
    await sleep(500);
  }
}
