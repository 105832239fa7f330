import { findClosestName } from '../domain/findClosestName';
import type { SwarmGateway } from './ports';

const MAX_SUGGESTIONS = 3;

/** Up to three existing names closest to `name`, closest first (a stack deploy names services `<stack>_<name>`). */
export function pickClosestNames(name: string, candidates: readonly string[]): string[] {
  const picked: string[] = [];
  let left = candidates.filter((candidate) => candidate !== name);
  while (picked.length < MAX_SUGGESTIONS) {
    const closest = findClosestName(name, left);
    if (closest === undefined) break;
    picked.push(closest);
    left = left.filter((candidate) => candidate !== closest);
  }
  return picked;
}

/**
 * The "did you mean" sentence for a name no service has, or '' when nothing is close or
 * Docker cannot list services right now (a hint never turns a decision into an error).
 */
export async function suggestServiceNames(name: string, swarm: SwarmGateway): Promise<string> {
  const names = await swarm.listServiceNames().catch(() => [] as string[]);
  const closest = pickClosestNames(name, names);
  if (closest.length === 0) return '';
  return `; closest existing service${closest.length > 1 ? 's' : ''}: ${closest.map((candidate) => `"${candidate}"`).join(', ')}`;
}
