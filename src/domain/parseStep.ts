import type { Step } from './types';

/** A step as a count of replicas: 1 to 999999 (also the alert contract's `scale_step`). */
export const STEP_COUNT = /^[1-9]\d{0,5}$/;
const PERCENT = /^([1-9]\d{0,3})%$/;

/** Parses a step label: a positive count (`2`) or a percentage of current replicas (`50%`). */
export function parseStep(text: string): Step | undefined {
  if (STEP_COUNT.test(text)) return { kind: 'count', value: Number(text) };
  const percent = PERCENT.exec(text);
  if (percent) return { kind: 'percent', value: Number(percent[1]) };
  return undefined;
}

/** Replicas a step adds or removes from `current`: percentages round up and move at least one. */
export function resolveStep(step: Step, current: number): number {
  if (step.kind === 'count') return step.value;
  return Math.max(1, Math.ceil((current * step.value) / 100));
}
