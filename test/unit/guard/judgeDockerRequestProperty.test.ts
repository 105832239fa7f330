import fc from 'fast-check';
import { judgeDockerRequest } from '../../../src/guard/rules/judgeDockerRequest';
import { currentServiceOf, serviceSpec, updateRequest } from '../../support/guardBuilders';

const limits = { mode: 'scale' as const, ceiling: 10, bodyLimitBytes: 64 * 1024 };
type Spec = Record<string, any>;

/** Every path to a value inside the spec, objects and arrays included. */
function pathsOf(value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [path];
  return [path, ...Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => pathsOf(child, [...path, key]))];
}

const withoutScaleFields = (spec: Spec): Spec => {
  const copy = structuredClone(spec);
  copy.Labels = Object.fromEntries(Object.entries(copy.Labels ?? {}).filter(([key]) => !key.startsWith('alertscale.state.')));
  if (copy.Mode?.Replicated) delete copy.Mode.Replicated.Replicas;
  return copy;
};

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replicas' as const), value: fc.oneof(fc.integer({ min: -2, max: 12 }), fc.constant('2'), fc.constant(null), fc.double()) }),
  fc.record({ kind: fc.constant('state' as const), key: fc.string({ maxLength: 8 }), value: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()) }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    key: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('Image', 'labels', 'Mounts', 'alertscale.max', '__proto__', 'Replicas')),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

describe('judgeDockerRequest, property', () => {
  test('when any mix of changes is sent as an update, then only those touching replicas (within policy) and alertscale.state.* alone are forwarded', () => {
    const current = currentServiceOf(serviceSpec());
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const spec: Spec = serviceSpec();
        for (const change of mutations) {
          if (change.kind === 'replicas') {
            if (spec.Mode?.Replicated) spec.Mode.Replicated.Replicas = change.value;
          } else if (change.kind === 'state') {
            if (spec.Labels) spec.Labels[`alertscale.state.${change.key}`] = change.value;
          } else {
            const objects = pathsOf(spec).filter((path) => {
              const node = path.reduce((at: any, key) => at?.[key], spec);
              return node !== null && typeof node === 'object';
            });
            const path = objects[change.at % objects.length] as string[];
            const node = path.reduce((at: any, key) => at[key], spec);
            if (change.kind === 'set') Object.defineProperty(node, change.key, { value: change.value, enumerable: true, configurable: true, writable: true });
            else {
              const keys = Object.keys(node);
              if (keys.length > 0 && path.length > 0) delete node[keys[change.at % keys.length] as string];
            }
          }
        }
        const body = Buffer.from(JSON.stringify(spec));
        const verdict = judgeDockerRequest(updateRequest('POST', '/services/abc/update?version=42', body), limits, current);
        if (verdict.verdict !== 'forward') return;
        const sent = JSON.parse(body.toString()) as Spec;
        expect(withoutScaleFields(sent)).toEqual(withoutScaleFields(serviceSpec()));
        expect(Object.values(sent.Labels).every((value) => typeof value === 'string')).toBe(true);
        expect(sent.Mode.Replicated.Replicas).toBeGreaterThanOrEqual(1);
        expect(sent.Mode.Replicated.Replicas).toBeLessThanOrEqual(5);
      }),
      { numRuns: 5000, seed: 16 },
    );
  });
});
