import NodeCache from 'node-cache';
import type { DedupCache } from '../../app/ports';

/**
 * This instance's memory of recently decided keys (node-cache). Bounded: when
 * full, a key is not remembered and the service's own state labels still catch
 * the duplicate, so a storm cannot grow memory without bound.
 */
export function createNodeCacheDedup(windowMs: number, maxKeys = 10_000): DedupCache {
  const cache = new NodeCache({ stdTTL: Math.max(1, Math.ceil(windowMs / 1000)), checkperiod: 60, useClones: false, maxKeys });
  return {
    seenAt(key: string): string | undefined {
      return cache.get<string>(key);
    },
    remember(key: string, decidedAt: string): void {
      try {
        cache.set(key, decidedAt);
      } catch {
        // ECACHEFULL: see above.
      }
    },
  };
}
