import type { CurrentService, GuardedRequest } from '../../src/guard/rules/judgeDockerRequest';
import { readCurrentService } from '../../src/guard/rules/readCurrentService';

/** A replicated, opted-in service spec as Docker returns it (max 5, min 1, 2 replicas). */
export function serviceSpec(labels: Record<string, string> = {}, replicas = 2) {
  return {
    Name: 'shop_worker',
    Labels: { 'alertscale.enabled': 'true', 'alertscale.max': '5', 'alertscale.state.action': 'up', ...labels } as Record<string, string>,
    TaskTemplate: {
      ContainerSpec: { Image: 'shop/worker:1.4@sha256:abc', Command: ['worker'], StopGracePeriod: 1000000000, Isolation: 'default' } as Record<string, unknown>,
      // Above 2^53 on purpose: a spec the guard must compare without losing precision.
      // eslint-disable-next-line no-loss-of-precision
      Resources: { Limits: { MemoryBytes: 9007199254740993 } },
      RestartPolicy: { Condition: 'any', MaxAttempts: 0 },
      ForceUpdate: 0,
      Runtime: 'container',
    },
    Mode: { Replicated: { Replicas: replicas } },
    EndpointSpec: { Mode: 'vip' },
  };
}

/** Docker's inspect answer for `spec` at version 42, as the guard reads it. */
export function currentServiceOf(spec: object, version = 42): CurrentService {
  const read = readCurrentService(Buffer.from(JSON.stringify({ ID: 'abc', Version: { Index: version }, Spec: spec })));
  if (!read) throw new Error('not a service');
  return read;
}

/** A request as Node's http hands it to the guard (lower-case headers; a JSON body sized by Content-Length). */
export function updateRequest(method: string, url: string, body?: Uint8Array, headers: Record<string, string> = {}): GuardedRequest {
  return {
    method,
    url,
    headers: { host: 'docker', ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}), ...headers },
    ...(body ? { body } : {}),
  };
}
