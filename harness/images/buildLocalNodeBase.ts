import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOCKER_CLI, importImage } from './importImage';
import { stageNodeRuntime } from './stageNodeRuntime';

/**
 * A stand-in for the official `node:20-bookworm-slim`, which cannot be pulled
 * on a machine without registry access. It is NOT the official image and is
 * deliberately not tagged like it: it is this machine's node runtime (binary
 * plus its shared libraries), this machine's npm, and busybox-static for
 * /bin/sh and coreutils, with the official image's layout (/usr/local/bin/node,
 * /usr/local/lib/node_modules/npm) and its `node` user (1000:1000).
 * Build the Dockerfile with `--build-arg NODE_IMAGE=<this tag>`.
 */
export const LOCAL_NODE_BASE = 'alertscale-local/node:20';

export async function buildLocalNodeBase(tag = LOCAL_NODE_BASE): Promise<string> {
  const stageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertscale-node-base-'));
  try {
    const { node } = stageNodeRuntime(stageDir);
    const npmDir = fs.realpathSync(path.join(path.dirname(node), '..', 'lib', 'node_modules', 'npm'));
    fs.cpSync(npmDir, path.join(stageDir, 'usr/local/lib/node_modules/npm'), { recursive: true });
    fs.symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(stageDir, 'usr/local/bin/npm'));
    fs.symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(stageDir, 'usr/local/bin/npx'));

    const busybox = fs.realpathSync(execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim());
    fs.mkdirSync(path.join(stageDir, 'bin'), { recursive: true });
    fs.copyFileSync(busybox, path.join(stageDir, 'bin/busybox'));
    fs.chmodSync(path.join(stageDir, 'bin/busybox'), 0o755);
    for (const applet of execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
      const link = path.join(stageDir, applet);
      if (fs.existsSync(link)) continue;
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync('/bin/busybox', link);
    }
    fs.mkdirSync(path.join(stageDir, 'root'), { recursive: true, mode: 0o700 });
    if (process.getuid?.() === 0) fs.chownSync(path.join(stageDir, 'home/node'), 1000, 1000);

    await importImage(stageDir, tag, [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `ENV NODE_VERSION=${process.versions.node}`,
      'CMD ["node"]',
      'LABEL org.opencontainers.image.description=local-stand-in-for-node:20-bookworm-slim',
    ]);
    return tag;
  } finally {
    fs.rmSync(stageDir, { recursive: true, force: true });
  }
}

/** Whether `tag` exists locally. */
export function imageExists(tag: string): boolean {
  try {
    execFileSync(DOCKER_CLI, ['image', 'inspect', tag], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
