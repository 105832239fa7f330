import type { ServiceSnapshot } from '../../../harness/docker';

/**
 * "Not half-updated": alertscale writes replicas and alertscale.state.* in one
 * update, so after its last change the labels describe exactly that change.
 * Returns the problems found (empty when consistent).
 */
export function stateProblems(snapshot: ServiceSnapshot, expected: { replicas: number; key?: string; from?: number; action?: string }): string[] {
  const problems: string[] = [];
  const labels = snapshot.labels;
  if (snapshot.replicas !== expected.replicas) problems.push(`replicas ${snapshot.replicas}, expected ${expected.replicas}`);
  if (expected.key !== undefined && labels['alertscale.state.key'] !== expected.key) problems.push(`state.key ${labels['alertscale.state.key']}, expected ${expected.key}`);
  if (expected.from !== undefined && labels['alertscale.state.from'] !== String(expected.from))
    problems.push(`state.from ${labels['alertscale.state.from']}, expected ${expected.from}`);
  if (expected.action !== undefined && labels['alertscale.state.action'] !== expected.action)
    problems.push(`state.action ${labels['alertscale.state.action']}, expected ${expected.action}`);
  const at = labels['alertscale.state.at'];
  if (expected.key !== undefined && (at === undefined || Number.isNaN(Date.parse(at)))) problems.push(`state.at ${at} is not a time`);
  // The update that wrote state.from=N moved the spec with N replicas into PreviousSpec.
  if (expected.from !== undefined && snapshot.previousReplicas !== undefined && snapshot.previousReplicas !== Number(labels['alertscale.state.from'])) {
    problems.push(`PreviousSpec has ${snapshot.previousReplicas} replicas but state.from says ${labels['alertscale.state.from']}`);
  }
  return problems;
}
