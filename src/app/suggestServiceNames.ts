import type { SwarmGateway } from './ports';

/**
 * The "did you mean" sentence for a name no service has, or '' when nothing is close or
 * Docker cannot list services right now (a hint never turns a decision into an error).
 */
export async function suggestServiceNames(name: string, swarm: SwarmGateway): Promise<string> {
  const closest = await swarm.findClosestServiceNames(name).catch(() => [] as string[]);
  if (closest.length === 0) return '';
  return `; closest existing service${closest.length > 1 ? 's' : ''}: ${closest.map((candidate) => `"${candidate}"`).join(', ')}`;
}
