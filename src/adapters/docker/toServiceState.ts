import type { ServiceMode, ServiceState } from '../../domain/types';

/** The fields of Docker's service inspect (or list with `status=true`) answer that alertscale reads. */
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
  /** Only in a list with `status=true` (API 1.41+). */
  ServiceStatus?: { RunningTasks?: number; DesiredTasks?: number };
}

function readMode(mode: NonNullable<DockerServiceInfo['Spec']>['Mode']): ServiceMode {
  if (mode?.Global !== undefined) return 'global';
  if (mode?.ReplicatedJob !== undefined) return 'replicated-job';
  if (mode?.GlobalJob !== undefined) return 'global-job';
  return 'replicated';
}

/**
 * Translates Docker's answer into the decision core's ServiceState. A replicated service
 * counts the replicas its spec asks for; any other mode has no such count, so it counts
 * its running tasks (when Docker said how many) rather than a misleading 0.
 */
export function toServiceState(info: DockerServiceInfo, runningTasks = info.ServiceStatus?.RunningTasks): ServiceState {
  const spec = info.Spec ?? {};
  const mode = readMode(spec.Mode);
  return {
    id: info.ID,
    name: spec.Name ?? '',
    version: info.Version?.Index ?? 0,
    mode,
    replicas: mode === 'replicated' ? (spec.Mode?.Replicated?.Replicas ?? 0) : (runningTasks ?? 0),
    labels: spec.Labels ?? {},
    updatedAt: info.UpdatedAt ?? '',
    ...(info.UpdateStatus?.State ? { updateState: info.UpdateStatus.State } : {}),
    ...(spec.TaskTemplate?.ContainerSpec?.Labels ? { containerLabels: spec.TaskTemplate.ContainerSpec.Labels } : {}),
  };
}
