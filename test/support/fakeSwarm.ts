import { TransientError, VersionConflictError } from '../../src/app/errors';
import type { InspectedService, SwarmGateway } from '../../src/app/ports';
import { pickClosestNames } from '../../src/domain/pickClosestNames';
import type { ServiceState } from '../../src/domain/types';

/** An in-memory Swarm with Docker's optimistic concurrency, for the pure-ish use case tests. */
export class FakeSwarm implements SwarmGateway {
  services = new Map<string, ServiceState>();
  updates: Array<{ name: string; replicas: number; labels: Record<string, string> }> = [];
  /** Makes the next N updates fail as if someone else changed the service first. */
  conflictsToInject = 0;
  /** Makes the next N calls fail as if Docker were unreachable. */
  outagesToInject = 0;

  add(service: ServiceState): void {
    this.services.set(service.name, structuredClone(service));
  }

  private failIfDown(operation: string): void {
    if (this.outagesToInject > 0) {
      this.outagesToInject -= 1;
      throw new TransientError(`connect ECONNREFUSED /var/run/docker.sock (${operation})`, operation);
    }
  }

  async inspectService(name: string): Promise<InspectedService | undefined> {
    this.failIfDown('inspect');
    const state = this.services.get(name);
    return state ? { state: structuredClone(state), handle: state.version } : undefined;
  }

  async scaleService(service: InspectedService, replicas: number, labels: Record<string, string>): Promise<void> {
    this.failIfDown('update');
    const current = this.services.get(service.state.name);
    if (!current) throw new VersionConflictError(service.state.name);
    if (this.conflictsToInject > 0) {
      this.conflictsToInject -= 1;
      current.version += 1;
      throw new VersionConflictError(service.state.name);
    }
    if (current.version !== service.handle) throw new VersionConflictError(service.state.name);
    current.version += 1;
    current.replicas = replicas;
    current.labels = { ...current.labels, ...labels };
    // Docker stamps UpdatedAt as it stores the update: the moment alertscale wrote into state.at.
    current.updatedAt = labels['alertscale.state.at'] ?? new Date().toISOString();
    this.updates.push({ name: current.name, replicas, labels });
  }

  async listEnabledServices(): Promise<ServiceState[]> {
    this.failIfDown('list');
    return [...this.services.values()].filter((service) => service.labels['alertscale.enabled'] === 'true');
  }

  async findClosestServiceNames(name: string): Promise<string[]> {
    this.failIfDown('list');
    return pickClosestNames(name, [...this.services.keys()]);
  }

  async ping(): Promise<void> {
    this.failIfDown('ping');
  }
}
