import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A docker CLI that has `docker stack config` (CLI >= 20.10.? has it only from
 * 23.0 on; Debian 12's 20.10 CLI does not). Throws when none does.
 */
export function findStackConfigCli(): string {
  for (const cli of [process.env.DOCKER_CLI ?? 'docker', '/usr/local/bin/docker', '/usr/bin/docker']) {
    try {
      execFileSync(cli, ['stack', 'config', '--help'], { stdio: 'ignore' });
      return cli;
    } catch {
      // this CLI is missing or has no `stack config`
    }
  }
  throw new Error('no docker CLI with `docker stack config` (needs docker CLI >= 23)');
}

/** `docker stack config -c file` with `env`: the merged, interpolated, normalised YAML. */
export async function renderStack(file: string, cwd: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run(findStackConfigCli(), ['stack', 'config', '-c', file], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
  });
  return stdout;
}

/**
 * The top-level sections of the normalised output (`services`, `configs`...),
 * then each entry's block of lines. Normalised YAML indents by two spaces, so
 * a line-based split is exact enough for assertions.
 */
export function splitSection(rendered: string, section: string): Map<string, string> {
  const lines = rendered.split('\n');
  const start = lines.indexOf(`${section}:`);
  const entries = new Map<string, string>();
  if (start < 0) return entries;
  let current: string | undefined;
  let block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const entry = /^ {2}([^\s:][^:]*):\s*$/.exec(line);
    if (entry?.[1]) {
      if (current) entries.set(current, block.join('\n'));
      current = entry[1];
      block = [];
    } else {
      block.push(line);
    }
  }
  if (current) entries.set(current, block.join('\n'));
  return entries;
}
