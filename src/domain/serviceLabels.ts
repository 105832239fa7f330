/** Names of the labels alertscale reads and writes on Swarm services. */
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

export const STATE_LABEL = {
  action: 'alertscale.state.action',
  at: 'alertscale.state.at',
  key: 'alertscale.state.key',
  from: 'alertscale.state.from',
} as const;
