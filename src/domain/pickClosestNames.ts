import { findClosestName } from './findClosestName';

const MAX_SUGGESTIONS = 3;

/**
 * Up to three existing names close to `name`, closest first (a stack deploy names
 * services `<stack>_<name>`). One comparison per candidate; only the few close ones
 * are ranked, so a Swarm with hundreds of services stays cheap.
 */
export function pickClosestNames(name: string, candidates: readonly string[]): string[] {
  let close = candidates.filter((candidate) => candidate !== name && findClosestName(name, [candidate]) !== undefined);
  const picked: string[] = [];
  while (picked.length < MAX_SUGGESTIONS && close.length > 0) {
    const closest = findClosestName(name, close) as string;
    picked.push(closest);
    close = close.filter((candidate) => candidate !== closest);
  }
  return picked;
}
