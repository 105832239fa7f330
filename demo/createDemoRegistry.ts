import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A demo process' own registry with Node's default metrics (memory and CPU, charted
 * against the service's limits) and `defaultLabels` on every series; `registers`
 * is what each metric's constructor takes.
 */
export function createDemoRegistry(defaultLabels: Record<string, string> = {}): { registry: Registry; registers: Registry[] } {
  const registry = new Registry();
  if (Object.keys(defaultLabels).length > 0) registry.setDefaultLabels(defaultLabels);
  collectDefaultMetrics({ register: registry });
  return { registry, registers: [registry] };
}
