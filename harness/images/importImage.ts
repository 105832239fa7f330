import { spawn } from 'node:child_process';

/** The docker CLI the tests use; `docker` on PATH unless DOCKER_CLI says otherwise. */
export const DOCKER_CLI = process.env.DOCKER_CLI ?? 'docker';

/**
 * `tar -C stageDir -c . | docker import --change ... - tag`, numeric owners kept
 * (the staging tree is root-owned except what was chowned on purpose).
 * Resolves with the new image id.
 */
export function importImage(stageDir: string, tag: string, changes: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const tarArgs = ['-C', stageDir, '--numeric-owner', ...(process.getuid?.() === 0 ? [] : ['--owner=0', '--group=0']), '-c', '.'];
    const tar = spawn('tar', tarArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const importer = spawn(DOCKER_CLI, ['import', ...changes.flatMap((change) => ['--change', change]), '-', tag], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    tar.stdout.pipe(importer.stdin);
    let out = '';
    let errors = '';
    tar.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    importer.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    importer.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    tar.on('error', reject);
    importer.on('error', reject);
    tar.on('close', (code) => {
      if (code !== 0) reject(new Error(`tar exited ${code}: ${errors}`));
    });
    importer.on('close', (code) => {
      if (code === 0) resolve(out.trim());
      else reject(new Error(`docker import exited ${code}: ${errors}`));
    });
  });
}
