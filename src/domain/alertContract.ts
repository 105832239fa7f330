import { STEP_COUNT } from './parseStep';
import { isScaleAction, type ScaleAction } from './types';

/** Labels and annotation of the alert contract (README.md, "The alert contract"). */
export const ALERT_LABEL = {
  service: 'scale_service',
  action: 'scale_action',
  step: 'scale_step',
} as const;
export const REPLICAS_ANNOTATION = 'scale_replicas';

/** Swarm's own rule for service names; anything else can never name a service. */
export const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const DECIMAL = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Prometheus renders `{{ $value }}` as a float ("6.5", "1e+06"); anything past this is a mistake, not a target. */
const MAX_TARGET = 1_000_000;

export type AlertContractResult =
  | { kind: 'unlabelled' }
  | { kind: 'invalid'; service?: string; action?: ScaleAction; reason: string }
  | { kind: 'valid'; service: string; action: ScaleAction; step?: number; target?: number };

function invalid(labels: Record<string, string>, reason: string): AlertContractResult {
  const service = labels[ALERT_LABEL.service];
  const action = labels[ALERT_LABEL.action];
  return {
    kind: 'invalid',
    reason: `invalid_alert: ${reason}`,
    ...(service !== undefined && SERVICE_NAME.test(service) ? { service } : {}),
    ...(isScaleAction(action) ? { action } : {}),
  };
}

/** Checks one alert against the alert contract; the reason names the label that is wrong. */
export function checkAlertContract(labels: Record<string, string>, annotations: Record<string, string>): AlertContractResult {
  const service = labels[ALERT_LABEL.service];
  if (service === undefined) return { kind: 'unlabelled' };
  if (!SERVICE_NAME.test(service)) {
    return invalid(labels, `label ${ALERT_LABEL.service}="${service.slice(0, 80)}" is not a Swarm service name (letters, digits, "_", "." and "-", at most 63)`);
  }
  const action = labels[ALERT_LABEL.action];
  if (!isScaleAction(action)) {
    return invalid(labels, `label ${ALERT_LABEL.action}="${(action ?? '').slice(0, 80)}" must be up, down or to`);
  }
  const stepText = labels[ALERT_LABEL.step];
  if (stepText !== undefined && !STEP_COUNT.test(stepText)) {
    return invalid(labels, `label ${ALERT_LABEL.step}="${stepText.slice(0, 80)}" must be a positive whole number`);
  }
  const step = stepText === undefined ? undefined : Number(stepText);
  if (action !== 'to') return { kind: 'valid', service, action, ...(step === undefined ? {} : { step }) };

  const targetText = annotations[REPLICAS_ANNOTATION];
  // Decimal as Prometheus renders {{ $value }} ("6.5", "1e+06"); Number() alone would also take "0x10" or " 7 ".
  const target = targetText !== undefined && DECIMAL.test(targetText) ? Number(targetText) : Number.NaN;
  if (!Number.isFinite(target) || target < 0 || target > MAX_TARGET) {
    if (targetText === undefined && labels[REPLICAS_ANNOTATION] !== undefined) {
      return invalid(labels, `${REPLICAS_ANNOTATION} is set as a label; it must be an annotation (annotations: ${REPLICAS_ANNOTATION}: "{{ $value }}") for scale_action="to"`);
    }
    return invalid(labels, `annotation ${REPLICAS_ANNOTATION}="${(targetText ?? '').slice(0, 80)}" must be a number of replicas from 0 to ${MAX_TARGET} for scale_action="to"`);
  }
  return { kind: 'valid', service, action: 'to', target };
}
