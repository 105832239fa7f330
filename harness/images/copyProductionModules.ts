import fs from 'node:fs';
import path from 'node:path';

interface LockPackage {
  dev?: boolean;
  link?: boolean;
}

/**
 * Copies the production dependencies (what `npm ci --omit=dev` installs) from
 * the project's installed node_modules into `targetDir/node_modules`, reading
 * package-lock.json: every `node_modules/...` entry not marked `dev`. Works
 * offline. Each package is copied without its nested node_modules; nested
 * packages are entries of their own.
 */
export function copyProductionModules(projectDir: string, targetDir: string): number {
  const lock = JSON.parse(fs.readFileSync(path.join(projectDir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  let copied = 0;
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (!key.startsWith('node_modules/') || entry.dev || entry.link) continue;
    const source = path.join(projectDir, key);
    if (!fs.existsSync(source)) {
      throw new Error(`${key} is a production dependency in package-lock.json but is not installed`);
    }
    const nested = path.join(source, 'node_modules');
    fs.cpSync(source, path.join(targetDir, key), {
      recursive: true,
      dereference: false,
      filter: (file) => file !== nested,
    });
    copied += 1;
  }
  return copied;
}
