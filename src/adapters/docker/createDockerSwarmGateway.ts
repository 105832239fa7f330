import type Docker from 'dockerode';
import type { InspectedService, SwarmGateway } from '../../app/ports';
import { POLICY_LABEL } from '../../domain/serviceLabels';
import type { ServiceState } from '../../domain/types';
import { toServiceState, type DockerServiceInfo } from './toServiceState';
import { translateDockerError } from './translateDockerError';

interface DockerHandle {
  id: string;
  version: number;
  spec: Record<string, unknown> & { Labels?: Record<string, string>; Mode?: { Replicated?: { Replicas?: number } } };
}

/** The Docker API calls the gateway makes (the `operation` of its errors and metrics). */
export const DOCKER_OPERATIONS = ['inspect', 'update', 'list', 'ping'] as const;
export type DockerOperation = (typeof DOCKER_OPERATIONS)[number];

export interface DockerGatewayOptions {
  onError?: (operation: string) => void;
}

/** SwarmGateway over the Docker Engine API (dockerode). Translates; decides nothing. */
export function createDockerSwarmGateway(docker: Docker, options: DockerGatewayOptions = {}): SwarmGateway {
  async function call<T>(operation: DockerOperation, service: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404 && operation === 'inspect') throw error;
      options.onError?.(operation);
      throw translateDockerError(error, operation, service);
    }
  }

  return {
    async inspectService(name: string): Promise<InspectedService | undefined> {
      let info: DockerServiceInfo & { Spec?: DockerHandle['spec'] };
      try {
        info = await call('inspect', name, () => docker.getService(name).inspect() as Promise<DockerServiceInfo & { Spec?: DockerHandle['spec'] }>);
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw error;
      }
      // Docker also resolves ID prefixes; only an exact name match is the service the alert named.
      if (info.Spec?.Name !== name) return undefined;
      const handle: DockerHandle = { id: info.ID, version: info.Version?.Index ?? 0, spec: info.Spec };
      return { state: toServiceState(info), handle };
    },

    async scaleService(service: InspectedService, replicas: number, labels: Record<string, string>): Promise<void> {
      const { id, version, spec } = service.handle as DockerHandle;
      // The update replaces the whole spec: send back the inspected one, changed only where we mean to.
      const body = structuredClone(spec);
      body.Labels = { ...(spec.Labels ?? {}), ...labels };
      body.Mode = { ...(spec.Mode ?? {}), Replicated: { ...(spec.Mode?.Replicated ?? {}), Replicas: replicas } };
      await call('update', service.state.name, () => docker.getService(id).update({ _query: { version }, _body: body }));
    },

    async listEnabledServices(): Promise<ServiceState[]> {
      const services = await call('list', '(all)', () =>
        docker.listServices({ filters: JSON.stringify({ label: [`${POLICY_LABEL.enabled}=true`] }) } as unknown as Docker.ServiceListOptions),
      );
      return (services as unknown as DockerServiceInfo[]).map(toServiceState);
    },

    async ping(): Promise<void> {
      await call('ping', '(engine)', () => docker.ping());
    },
  };
}
