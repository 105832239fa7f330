/**
 * The guard between alertscale and Docker goes away (restarted) or Docker goes
 * away behind the guard: alertscale answers Alertmanager its usual transient
 * 503, stays up, changes nothing, and scales again once the path is back.
 * alertscale runs as a process with DOCKER_HOST at the guard; the guard reaches
 * Docker through a fault proxy in front of /var/run/docker.sock.
 */
import { DockerFaultProxy } from './support/dockerFaultProxy';
import { postDuringOutage, waitUntilReady } from './support/postDuringOutage';
import { histogram, reportResult } from './support/report';
import { inspectService } from '../../harness/docker';
import { post, uniqueNotification } from '../../harness/notifications';
import { startAlertscale, type RunningAlertscale } from '../../harness/startAlertscale';
import { startGuard, type RunningGuard } from '../../harness/startGuard';
import { createParkedServices } from '../../harness/swarmServices';
import { useTestServices } from '../support/useTestServices';

jest.setTimeout(120_000);

const PREFIX = 'asrel-guardout';
const TOKEN = 'reliability-guard-outage-token';
const LABELS = { 'alertscale.enabled': 'true', 'alertscale.max': '20', 'alertscale.cooldown.up': '0s', 'alertscale.cooldown.down': '0s' };
const services = useTestServices(PREFIX);
const created = services.names;
let proxy: DockerFaultProxy;
let guard: RunningGuard;
let alertscale: RunningAlertscale;

const readyzStatus = async () => (await fetch(`${alertscale.url}/readyz`)).status;

beforeAll(async () => {
  proxy = await DockerFaultProxy.start();
  guard = await startGuard({ GUARD_DOCKER_HOST: proxy.dockerHost, GUARD_UPSTREAM_TIMEOUT_MS: '2000' });
  alertscale = await startAlertscale({ WEBHOOK_TOKEN: TOKEN, DOCKER_HOST: guard.dockerHost, DOCKER_RETRY_DEADLINE: '1s' });
});

afterAll(async () => {
  await proxy?.restore();
  await alertscale?.stop();
  await guard?.stop();
  await proxy?.close();
});

describe('the guard or Docker behind it unreachable', () => {
  test('when the guard restarts and then Docker refuses the guard, then alertscale answers 503 each time, stays up, changes nothing, and scales once the path is back', async () => {
    const [service] = await createParkedServices(PREFIX, 1, LABELS, created);
    const name = service as string;
    expect(await post(alertscale.url, TOKEN, uniqueNotification(name))).toMatchObject({
      status: 202,
      body: { decisions: [expect.objectContaining({ outcome: 'scaled', to: 2 })] },
    });

    const answers: Array<number | string> = [];
    const outages: Array<[string, () => Promise<void>, () => Promise<void>]> = [
      ['guard stopped', () => guard.stop(), () => guard.restart()],
      ['Docker refuses the guard', () => proxy.cut('refuse'), () => proxy.restore()],
      ['Docker resets the guard', () => proxy.cut('reset'), () => proxy.restore()],
    ];
    let replicas = 2;
    for (const [, cut, restore] of outages) {
      await cut();
      const during = await postDuringOutage(alertscale, TOKEN, name, 3);
      answers.push(...during.map((answer) => answer.status));
      expect(await readyzStatus()).toBe(503);
      expect((await inspectService(name)).replicas).toBe(replicas);
      await restore();
      await waitUntilReady(alertscale, 15_000);
      replicas += 1;
      expect(await post(alertscale.url, TOKEN, uniqueNotification(name))).toMatchObject({
        status: 202,
        body: { decisions: [expect.objectContaining({ outcome: 'scaled', to: replicas })] },
      });
    }
    expect(guard.output()).not.toMatch(/uncaught|unhandled/i);
    reportResult({
      fault: 'guard-restart-and-docker-behind-guard',
      injected: 'guard stopped then restarted; Docker refusing, then resetting, the guard’s connections',
      load: '3 notifications during each outage, 1 after each',
      lost: 0,
      wronglyChanged: 0,
      figures: { outageAnswers: histogram(answers), finalReplicas: replicas, alertscaleAlive: alertscale.child.exitCode === null },
    });
  });
});
