import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A docker CLI that builds with BuildKit (needed for RUN --mount): `docker buildx`
 * when installed; otherwise a pre-23 CLI with DOCKER_BUILDKIT=1, whose built-in
 * BuildKit client needs no plugin (Debian 12's docker.io 20.10 at /usr/bin/docker).
 * A 23+ CLI without buildx cannot do it (it falls back to the legacy builder).
 */
export function findBuildKitCli(): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  for (const cli of ['docker', '/usr/bin/docker', '/usr/local/bin/docker']) {
    try {
      execFileSync(cli, ['buildx', 'version'], { stdio: 'ignore' });
      return { command: cli, args: ['buildx', 'build', '--load'], env: process.env };
    } catch {
      // no buildx plugin for this CLI
    }
    try {
      const version = execFileSync(cli, ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      if (Number(version.trim().split('.')[0]) < 23) return { command: cli, args: ['build'], env: { ...process.env, DOCKER_BUILDKIT: '1' } };
    } catch {
      // not installed there
    }
  }
  throw new Error('no docker CLI can build with BuildKit here: install the buildx plugin, or use a docker CLI < 23 with DOCKER_BUILDKIT=1');
}

export interface DockerfileBuild {
  contextDir: string;
  tag: string;
  buildArgs?: Record<string, string>;
  /** Build secrets, id -> file (e.g. ca -> /etc/ssl/certs/ca-certificates.crt). */
  secrets?: Record<string, string>;
  timeoutMs?: number;
}

/** `docker build --network host` of a Dockerfile with BuildKit; resolves with the build log. */
export async function buildDockerfile(build: DockerfileBuild): Promise<string> {
  const cli = findBuildKitCli();
  const args = [
    ...cli.args,
    '--progress=plain',
    '--network',
    'host',
    ...Object.entries(build.buildArgs ?? {}).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    ...Object.entries(build.secrets ?? {}).flatMap(([id, src]) => ['--secret', `id=${id},src=${src}`]),
    '-t',
    build.tag,
    build.contextDir,
  ];
  try {
    const { stdout, stderr } = await run(cli.command, args, { env: cli.env, timeout: build.timeoutMs ?? 110_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (err) {
    const output = String((err as { stderr?: string }).stderr ?? '') + String((err as { stdout?: string }).stdout ?? '');
    throw new Error(`${cli.command} ${args.join(' ')} failed:\n${output.split('\n').slice(-40).join('\n')}`, { cause: err });
  }
}
