import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** This machine's node binary, as `which node` finds it, symlinks resolved. */
function findNodeBinary(): string {
  const found = execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim();
  if (!found) throw new Error('node is not on PATH');
  return fs.realpathSync(found);
}

/**
 * The shared libraries `binary` loads, from ldd, including the dynamic loader.
 * Empty for a static binary.
 */
function listSharedLibraries(binary: string): string[] {
  let output: string;
  try {
    output = execFileSync('ldd', [binary], { encoding: 'utf8' });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    const text = `${stdout ?? ''}${stderr ?? ''}`;
    if (/not a dynamic executable|statically linked/.test(text)) return [];
    throw err;
  }
  if (/statically linked/.test(output)) return [];
  const libraries = new Set<string>();
  for (const line of output.split('\n')) {
    const linked = /=>\s+(\/\S+)\s+\(/.exec(line);
    const loader = /^\s*(\/\S+)\s+\(/.exec(line);
    const library = linked?.[1] ?? loader?.[1];
    if (library) libraries.add(library);
  }
  return [...libraries];
}

function copyFileFollowingLinks(source: string, target: string, mode: number): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(fs.realpathSync(source), target);
  fs.chmodSync(target, mode);
}

/**
 * Puts this machine's node runtime into `stageDir` the way the official image
 * lays it out: /usr/local/bin/node plus every shared library it links (at the
 * path ldd reports, so the loader finds them), /etc/passwd and /etc/group
 * with root and `node` (1000:1000, like the official image), and /tmp.
 */
export function stageNodeRuntime(stageDir: string): { node: string; libraries: string[] } {
  const node = findNodeBinary();
  copyFileFollowingLinks(node, path.join(stageDir, 'usr/local/bin/node'), 0o755);
  const libraries = listSharedLibraries(node);
  for (const library of libraries) copyFileFollowingLinks(library, path.join(stageDir, library), 0o755);
  fs.mkdirSync(path.join(stageDir, 'etc'), { recursive: true });
  fs.writeFileSync(
    path.join(stageDir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
  );
  fs.writeFileSync(path.join(stageDir, 'etc/group'), 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n');
  fs.mkdirSync(path.join(stageDir, 'home/node'), { recursive: true });
  fs.mkdirSync(path.join(stageDir, 'tmp'), { recursive: true });
  fs.chmodSync(path.join(stageDir, 'tmp'), 0o1777);
  return { node, libraries };
}
