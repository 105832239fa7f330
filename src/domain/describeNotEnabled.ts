import { findClosestName } from './findClosestName';
import { LABEL_PREFIX, POLICY_LABEL } from './serviceLabels';
import type { ServiceState } from './types';

/**
 * Why a service is not opted in, naming what was found instead: the commonest
 * mistakes are a value other than `true` and alertscale labels put on the
 * containers (`--container-label`, compose's top-level `labels:`) instead of the
 * service (`--label`, compose's `deploy.labels`).
 */
export function describeNotEnabled(service: ServiceState): string {
  const value = service.labels[POLICY_LABEL.enabled];
  const base = `not_enabled: service ${service.name}`;
  if (value !== undefined) {
    return `${base} has ${POLICY_LABEL.enabled}="${value.slice(0, 40)}", which is not exactly "true"; alertscale only touches services that opt in with ${POLICY_LABEL.enabled}=true`;
  }
  if (service.containerLabels?.[POLICY_LABEL.enabled] !== undefined) {
    return `${base} has ${POLICY_LABEL.enabled} as a container label, not a service label; move the alertscale.* labels to the service (compose: deploy.labels; CLI: docker service update --label-add)`;
  }
  const typo = Object.keys(service.labels).find((label) => label.startsWith(LABEL_PREFIX) && findClosestName(label, [POLICY_LABEL.enabled]) !== undefined);
  const hint = typo ? ` (found ${typo}: did you mean ${POLICY_LABEL.enabled}?)` : '';
  return `${base} has no label ${POLICY_LABEL.enabled}=true${hint}; alertscale only touches services that opt in`;
}
