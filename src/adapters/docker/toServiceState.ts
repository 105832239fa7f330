import type { ServiceMode, ServiceState } from '../../domain/types';

/** The fields of Docker's service inspect answer that alertscale reads. */
export interface DockerServiceInfo {
  ID: string;
  Version?: { Index?: number };
  UpdatedAt?: string;
  Spec?: {
    Name?: string;
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number }; Global?: unknown; ReplicatedJob?: unknown; GlobalJob?: unknown };
    TaskTemplate?: { ContainerSpec?: { Labels?: Record<string, string> } };
  };
  UpdateStatus?: { State?: string };
}

function readMode(mode: NonNullable<DockerServiceInfo['Spec']>['Mode']): ServiceMode {
  if (mode?.Global !== undefined) return 'global';
  if (mode?.ReplicatedJob !== undefined) return 'replicated-job';
  if (mode?.GlobalJob !== undefined) return 'global-job';
  return 'replicated';
}

/** Translates Docker's inspect answer into the decision core's ServiceState. */
export function toServiceState(info: DockerServiceInfo): ServiceState {
  const spec = info.Spec ?? {};
  return {
    id: info.ID,
    name: spec.Name ?? '',
    version: info.Version?.Index ?? 0,
    mode: readMode(spec.Mode),
    replicas: spec.Mode?.Replicated?.Replicas ?? 0,
    labels: spec.Labels ?? {},
    updatedAt: info.UpdatedAt ?? '',
    ...(info.UpdateStatus?.State ? { updateState: info.UpdateStatus.State } : {}),
    ...(spec.TaskTemplate?.ContainerSpec?.Labels ? { containerLabels: spec.TaskTemplate.ContainerSpec.Labels } : {}),
  };
}
