import { JsonNumber, type Json } from './parseStrictJson';

/** The first path (e.g. `TaskTemplate.ContainerSpec.Image`) where two JSON values differ, or undefined when they are equal. */
export function findFirstDifference(left: Json, right: Json, path = ''): string | undefined {
  const here = path || '(spec)';
  // An empty key must still name a place (and never read as "no difference").
  const childPath = (key: string) => `${path ? `${path}.` : ''}${key === '' ? '""' : key}`;
  if (left instanceof Map || right instanceof Map) {
    if (!(left instanceof Map) || !(right instanceof Map)) return here;
    for (const key of new Set([...left.keys(), ...right.keys()])) {
      if (!left.has(key) || !right.has(key)) return childPath(key);
      const found = findFirstDifference(left.get(key) as Json, right.get(key) as Json, childPath(key));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return here;
    for (let index = 0; index < left.length; index += 1) {
      const found = findFirstDifference(left[index] as Json, right[index] as Json, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (left instanceof JsonNumber || right instanceof JsonNumber) {
    return left instanceof JsonNumber && right instanceof JsonNumber && left.text === right.text ? undefined : here;
  }
  return left === right ? undefined : here;
}
