import type { Decision } from '../../../src/domain/types';
import { recentDecisions, startAlertscale, type RunningAlertscale } from '../../../harness/startAlertscale';
import { createParkedServices } from '../../../harness/swarmServices';
import { useTestServices } from '../../support/useTestServices';
import { DockerFaultProxy } from './dockerFaultProxy';
import { createTestVhost, type TestVhost } from './rabbitVhost';

export interface ReliabilityHarness {
  readonly token: string;
  /** Started in beforeAll; alertscale processes of `start` reach Docker through it. */
  readonly proxy: DockerFaultProxy;
  /** A parked service (tasks never placed) with `labels`, removed after the suite. */
  parkedService(labels: Record<string, string>, replicas?: number): Promise<string>;
  /** The built alertscale as a process, through the proxy, stopped after the suite. */
  start(env?: Record<string, string>, proxy?: DockerFaultProxy): Promise<RunningAlertscale>;
  /** A RabbitMQ vhost of the suite's own, removed after it. */
  vhost(): Promise<TestVhost>;
  /** Another proxy (e.g. one per instance), closed after the suite. */
  extraProxy(): Promise<DockerFaultProxy>;
  /** Recent decisions an instance recorded about one service, newest first. */
  decisionsOf(instance: RunningAlertscale, service: string): Promise<Decision[]>;
  /** The next update Docker applies through the proxy kills `instance` with SIGKILL before it reads the answer. */
  killAfterNextUpdate(instance: RunningAlertscale): Promise<void>;
}

/**
 * The set-up every reliability suite on the real parts shares: Swarm checked and
 * leftovers of crashed runs removed (useTestServices), a Docker fault proxy, and
 * everything the suite made (services, processes, vhosts, proxies) removed
 * afterwards, also on failure.
 */
export function useReliabilityHarness(prefix: string): ReliabilityHarness {
  const created = useTestServices(prefix).names;
  const running: RunningAlertscale[] = [];
  const vhosts: TestVhost[] = [];
  const proxies: DockerFaultProxy[] = [];
  const token = `reliability-${prefix}-token`;

  beforeAll(async () => {
    proxies.push(await DockerFaultProxy.start());
  });

  afterEach(() => {
    for (const proxy of proxies) proxy.onUpdateApplied = undefined;
  });

  afterAll(async () => {
    for (const instance of running) {
      if (instance.child.exitCode !== null || instance.child.signalCode !== null) continue;
      instance.child.kill('SIGCONT'); // a suite that froze it and failed before resuming it
      await instance.stop();
    }
    for (const proxy of proxies) await proxy.close();
    for (const vhost of vhosts) await vhost.remove();
  });

  const harness: ReliabilityHarness = {
    token,
    get proxy(): DockerFaultProxy {
      const proxy = proxies[0];
      if (!proxy) throw new Error('the harness proxy starts in beforeAll');
      return proxy;
    },
    async parkedService(labels, replicas = 1) {
      const [name] = await createParkedServices(prefix, 1, labels, created, replicas);
      return name ?? '';
    },
    async start(env = {}, proxy = harness.proxy) {
      const instance = await startAlertscale({ WEBHOOK_TOKEN: token, DOCKER_HOST: proxy.dockerHost, ...env });
      running.push(instance);
      return instance;
    },
    async vhost() {
      const vhost = await createTestVhost(prefix);
      vhosts.push(vhost);
      return vhost;
    },
    async extraProxy() {
      const proxy = await DockerFaultProxy.start();
      proxies.push(proxy);
      return proxy;
    },
    async decisionsOf(instance, service) {
      return (await recentDecisions(instance.url)).filter((decision) => decision.service === service);
    },
    killAfterNextUpdate(instance) {
      const proxy = harness.proxy;
      return new Promise((resolve) => {
        proxy.onUpdateApplied = () => {
          proxy.onUpdateApplied = undefined;
          instance.child.kill('SIGKILL');
          resolve();
          return 'drop';
        };
      });
    },
  };
  return harness;
}
