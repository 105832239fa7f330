/** Names of the labels alertscale reads and writes on Swarm services. */
export const LABEL_PREFIX = 'alertscale.';

export const POLICY_LABEL = {
  enabled: 'alertscale.enabled',
  min: 'alertscale.min',
  max: 'alertscale.max',
  step: 'alertscale.step',
  stepUp: 'alertscale.step.up',
  stepDown: 'alertscale.step.down',
  cooldownUp: 'alertscale.cooldown.up',
  cooldownDown: 'alertscale.cooldown.down',
  paused: 'alertscale.paused',
} as const;

/** alertscale's own bookkeeping: written by alertscale only, never a policy. */
export const STATE_LABEL_PREFIX = 'alertscale.state.';

export const STATE_LABEL = {
  action: 'alertscale.state.action',
  at: 'alertscale.state.at',
  key: 'alertscale.state.key',
  from: 'alertscale.state.from',
  recent: 'alertscale.state.recent',
} as const;
