import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoPath } from './repoRoot';

interface StackService {
  deploy?: { labels?: Record<string, string> | string[] };
  healthcheck?: { test?: string[] };
}

/** stack.yml as shipped, parsed (anchors resolved, `${VAR}` left as text). */
export function readStackFile(): { services: Record<string, StackService> } {
  return parse(readFileSync(repoPath('stack.yml'), 'utf8'), { merge: true }) as { services: Record<string, StackService> };
}

/** The `alertscale.*` service labels stack.yml gives `service`: what "shipped" means for its policy. */
export function shippedPolicy(service: string): Record<string, string> {
  const spec = readStackFile().services[service];
  if (!spec) throw new Error(`stack.yml has no service "${service}"`);
  const labels = spec.deploy?.labels ?? {};
  const entries = Array.isArray(labels) ? labels.map((label) => label.split('=', 2) as [string, string]) : Object.entries(labels);
  const policy = Object.fromEntries(entries.filter(([name]) => name.startsWith('alertscale.')).map(([name, value]) => [name, String(value)]));
  if (Object.keys(policy).length === 0) throw new Error(`stack.yml gives service "${service}" no alertscale.* labels`);
  return policy;
}
