import type Docker from 'dockerode';
import type { InspectedService, SwarmGateway } from '../../app/ports';
import { POLICY_LABEL } from '../../domain/serviceLabels';
import type { ServiceState } from '../../domain/types';
import { createServiceNameMatcher, type ServiceNameMatcherOptions } from './createServiceNameMatcher';
import { isNoSuchService } from './isNoSuchService';
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
  /** Cost bounds of "did you mean" hints for missing service names. */
  names?: ServiceNameMatcherOptions;
}

/** Docker's `status=true` (API 1.41+) adds each service's running and desired task counts. */
const WITH_STATUS = { status: true };

/** SwarmGateway over the Docker Engine API (dockerode). Translates; decides nothing. */
export function createDockerSwarmGateway(docker: Docker, options: DockerGatewayOptions = {}): SwarmGateway {
  async function call<T>(operation: DockerOperation, service: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (operation === 'inspect' && isNoSuchService(error)) throw error;
      options.onError?.(operation);
      throw translateDockerError(error, operation, service);
    }
  }

  const closestNames = createServiceNameMatcher(
    () =>
      call('list', '(all)', () => docker.listServices()).then((services) =>
        (services as unknown as DockerServiceInfo[]).map((service) => service.Spec?.Name ?? '').filter((serviceName) => serviceName !== ''),
      ),
    options.names,
  );

  async function countRunningTasks(id: string): Promise<number | undefined> {
    const listed = await call('list', id, () => docker.listServices({ ...WITH_STATUS, filters: JSON.stringify({ id: [id] }) } as unknown as Docker.ServiceListOptions));
    return (listed as unknown as DockerServiceInfo[]).find((service) => service.ID === id)?.ServiceStatus?.RunningTasks;
  }

  return {
    async inspectService(name: string): Promise<InspectedService | undefined> {
      let info: DockerServiceInfo & { Spec?: DockerHandle['spec'] };
      try {
        info = await call('inspect', name, () => docker.getService(name).inspect() as Promise<DockerServiceInfo & { Spec?: DockerHandle['spec'] }>);
      } catch (error) {
        if (isNoSuchService(error)) return undefined;
        throw error;
      }
      // Docker also resolves ID prefixes; only an exact name match is the service the alert named.
      if (info.Spec?.Name !== name) return undefined;
      const handle: DockerHandle = { id: info.ID, version: info.Version?.Index ?? 0, spec: info.Spec };
      const state = toServiceState(info);
      // Inspect has no task counts; only a service without a replica count needs them.
      if (state.mode !== 'replicated') return { state: toServiceState(info, await countRunningTasks(info.ID)), handle };
      return { state, handle };
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
        docker.listServices({ ...WITH_STATUS, filters: JSON.stringify({ label: [`${POLICY_LABEL.enabled}=true`] }) } as unknown as Docker.ServiceListOptions),
      );
      return (services as unknown as DockerServiceInfo[]).map((service) => toServiceState(service));
    },

    findClosestServiceNames: closestNames,

    async ping(): Promise<void> {
      await call('ping', '(engine)', () => docker.ping());
    },
  };
}
