import type Docker from 'dockerode';
import { createDockerClient } from '../src/adapters/docker/createDockerClient';
import { startGuard, type RunningGuard } from './startGuard';

/** Set by the `through-guard` jest project (jest.config.js): alertscale reaches Docker through the guard. */
export const THROUGH_GUARD = process.env.ALERTSCALE_TEST_DOCKER === 'guard';

export interface AlertscaleDocker {
  /** For an in-process gateway. */
  docker: Docker;
  /** DOCKER_HOST for an alertscale process ({} when it uses the socket). */
  env: Record<string, string>;
  guard?: RunningGuard;
  close: () => Promise<void>;
}

/**
 * The Docker API alertscale talks to in the scaling tests: the socket, or, in
 * the through-guard project, a guard started for this test file. Test set-up
 * and assertions keep using the socket directly.
 */
export async function openAlertscaleDocker(): Promise<AlertscaleDocker> {
  if (!THROUGH_GUARD) return { docker: createDockerClient(undefined), env: {}, close: async () => undefined };
  const guard = await startGuard();
  return { docker: createDockerClient(guard.dockerHost), env: { DOCKER_HOST: guard.dockerHost }, guard, close: guard.stop };
}
