import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildAppImage, buildStandinImages } from '../support/buildStackImages';
import { REPO_ROOT } from '../../harness/repoRoot';
import { sleep, waitFor } from '../../harness/polling';
import { assertSwarmManager, containerHealth, desiredReplicas, listTasks } from '../../harness/docker';
import { PrometheusApi } from '../../harness/prometheusApi';
import { heyArgs, responses, runHey, type HeyReport } from '../../harness/hey';
import {
  copyCheckout,
  createSecret,
  dockerCli,
  findStaleStacks,
  isEmpty,
  listStackObjects,
  newStackName,
  pickHostPorts,
  removeStack,
  readmeDeployCommands,
  sedCheckoutFile,
  STACK_PREFIX,
} from '../support/deployedStack';

/**
 * stack.yml deployed as a user deploys it, on this machine's single-node Swarm:
 *   docker stack deploy --resolve-image never -c stack.yml -c deploy/standins/stack.standins.yml <stack>
 * The override (read it) swaps the images for stand-ins built from Debian's
 * packages, uses dnsrr and host-mode ports (no IPVS here), names the external
 * secrets, and leaves out the two services Debian does not package:
 *   - Grafana: no Debian package (Grafana Labs ships its own apt repository, not Debian);
 *   - cAdvisor: no Debian package; its CPU metrics feed rules/cpu.rules.yml only.
 * They are deployed with 0 replicas, never faked. Everything else is the shipped
 * file. The test talks only to 127.0.0.1 (the host-mode ports) and to Docker;
 * the stack's containers talk to each other on its own overlay networks.
 *
 * Bounds: images are built (or found cached) first; the stack converges within
 * CONVERGE_MS of the deploy and the worker is scaled up within SCALE_UP_MS of
 * it (watched from the deploy on, while the other checks run); the api is
 * scaled up within HTTP_SCALE_UP_MS of the HTTP load's start (the load begins
 * once the stack has converged and runs while the checks after that do); after
 * the producer is stopped and the shortened scale-down timings are deployed as
 * a second config version, the worker is back at its minimum within
 * SCALE_DOWN_MS of that redeploy.
 */
const CONVERGE_MS = 180_000;
const SCALE_UP_MS = 300_000;
const HTTP_SCALE_UP_MS = 60_000;
/** stack.yml's api: alertscale.min and the replicas it starts with. */
const API_MIN = 2;
/** 90/s: over twice what the api's two replicas serve (20/s each), bounded to 3,600 requests. */
const HTTP_SPIKE = { rate: 90, durationS: 40, workers: 60 };
/**
 * Load after the api's scale-up proves nothing more, so the spike stops then;
 * but never before this, so that the edge's answers (40/s from the two replicas
 * alone) stay well over the 5 s' worth the test asks for.
 */
const HTTP_SPIKE_MIN_MS = 20_000;
// Redeploy (RabbitMQ, Prometheus and Alertmanager restart; the old RabbitMQ
// task's last figures count for a minute, rules/queue.rules.yml) + the
// shortened window and `for:` + Alertmanager: about 80 s.
const SCALE_DOWN_MS = 240_000;
/**
 * What a user shortens to watch the demo scale down (docs/deploy.md, "Watch
 * it scale back down"): the queue's 5-minute stabilization window to 15 s, the
 * `for:` of the scale-down alerts to 15 s, the down cooldown to 30 s.
 * Why these: the redeploy restarts RabbitMQ, and the stopped task's last unacked
 * jobs count for a minute more (rules/queue.rules.yml). Meanwhile
 * QueueOverProvisioned asks for 2 replicas fewer, then for 3; its scale_step is
 * its value, so that change makes it a new alert, pending again. The idle group
 * is evaluated every 15 s (Prometheus' global interval): `for:` 15 s fires at
 * the second evaluation (20 s took a third, past that change), and a 15 s window
 * has the alert pending 15 s before QueueIdle (one replica per step, then the
 * cooldown), so it fires first, in one step to the minimum. With 30 s and 20 s
 * it fired after the change, or QueueIdle came first: 147-156 s after the
 * redeploy instead of 63-78.
 */
const SHORT_WINDOW = '15s';
const SHORT_DOWN_FOR = '15s';
const SHORT_COOLDOWN_DOWN = '30s';
const WORKER_MIN = 1;
/** A stack of this prefix named longer ago than this is a leftover, never a run going on in parallel. */
const STALE_AFTER_MS = 45 * 60_000;

const LEFT_OUT = ['grafana', 'cadvisor'];
const RUNNING = ['alertscale', 'docker-guard', 'docker-sd-guard', 'rabbitmq', 'prometheus', 'alertmanager', 'node-exporter', 'producer', 'worker', 'api', 'edge'];
/** The demo services whose replicas alertscale changes while the test watches. */
const SCALED_BY_ALERTSCALE = ['worker', 'api'];
const SHIPPED_RULE_FILES = fs
  .readdirSync(path.join(REPO_ROOT, 'rules'))
  .filter((file) => file.endsWith('.rules.yml'))
  .sort();

const secret = (): string => randomBytes(24).toString('hex');

interface HttpSpike {
  /** The api's replicas just before the load began. */
  apiBefore: number;
  /** The api's replicas once scaled up, and how long after the load began. */
  apiScaledUp: Promise<{ replicas: number; afterS: number }>;
  /** hey's report, once the load has stopped. */
  report: Promise<HeyReport>;
}

describe('stack.yml on a real Swarm with stand-in images', () => {
  const stack = newStackName();
  const service = (name: string): string => `${stack}_${name}`;
  const rabbitmqPassword = secret();
  const workloadPassword = secret();
  const adminPassword = secret();
  const token = secret();
  let checkout = '';
  let env: NodeJS.ProcessEnv = {};
  let ports = { prometheus: 0, alertmanager: 0, rabbitmq: 0, grafana: 0, edge: 0 };
  let prometheus: PrometheusApi;
  let deployedAt = 0;
  let expectedImages: Record<string, string | undefined> = {};
  let peakReplicas = 0;
  /** Watches the worker from the deploy on; its test awaits it (the other checks run meanwhile). */
  let workerScaledUp: Promise<{ replicas: number; afterS: number }> | undefined;
  /** The HTTP spike, begun once the stack has converged; its test awaits it (the checks between run meanwhile). */
  let httpSpike: HttpSpike | undefined;
  /** The shell commands this run executed, in README's form (run()): its deploy section must list exactly these. */
  const commands: string[] = [];
  /** Values of this run -> how README writes them. */
  let readmeForms: Array<[string, string]> = [];
  const ran = (...lines: string[]): void => {
    commands.push(...lines.map((line) => readmeForms.reduce((text, [value, form]) => text.split(value).join(form), line)));
  };

  /** `docker stack deploy`; `shown` is how the command line names the variables (README's form). */
  const deploy = async (extraEnv: Record<string, string>, shown: Record<string, string> = extraEnv): Promise<void> => {
    const deployEnv = { ...env, ...extraEnv };
    ran(
      `${Object.entries(shown)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} docker stack deploy --resolve-image never -c stack.yml -c deploy/standins/stack.standins.yml ${stack}`,
    );
    await dockerCli(['stack', 'deploy', '--resolve-image', 'never', '-c', 'stack.yml', '-c', 'deploy/standins/stack.standins.yml', stack], {
      cwd: checkout,
      env: deployEnv,
      timeoutMs: 180_000,
    });
  };

  const runningContainer = async (name: string): Promise<string> => {
    const ids = (await dockerCli(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service(name)}`, '--filter', 'status=running'])).split('\n').filter(Boolean);
    if (!ids[0]) throw new Error(`no running container of ${service(name)}`);
    return ids[0];
  };

  const exec = async (name: string, args: string[]): Promise<{ code: number; out: string }> => {
    const container = await runningContainer(name);
    return dockerCli(['exec', container, ...args]).then(
      (out) => ({ code: 0, out }),
      (err: Error) => ({ code: 1, out: err.message }),
    );
  };

  const workerReplicas = async (): Promise<number> => (await desiredReplicas(service('worker'))) ?? 0;
  const apiReplicas = async (): Promise<number> => (await desiredReplicas(service('api'))) ?? 0;
  const secondsSince = (at: number): number => Math.round((Date.now() - at) / 1000);
  const beginHttpSpike = async (): Promise<HttpSpike> => {
    const apiBefore = await apiReplicas();
    const startedAt = Date.now();
    const spike = { url: `http://127.0.0.1:${ports.edge}/work`, ...HTTP_SPIKE, timeoutS: 10 };
    const stop = new AbortController();
    const report = runHey(spike, { stop: stop.signal });
    ran(`hey ${heyArgs({ ...spike, url: 'http://127.0.0.1:${EDGE_PORT}/work' }).join(' ')}`);
    const apiScaledUp = waitFor(
      'the api to be scaled up',
      async () => {
        const count = await apiReplicas();
        return count > API_MIN ? { replicas: count, afterS: secondsSince(startedAt) } : undefined;
      },
      HTTP_SCALE_UP_MS,
      2000,
    );
    // Stopped once the api has scaled up (or its watch gave up), not before HTTP_SPIKE_MIN_MS.
    void apiScaledUp
      .catch(() => undefined)
      .then(() => sleep(startedAt + HTTP_SPIKE_MIN_MS - Date.now()))
      .then(() => stop.abort());
    // Both are reported by the HTTP test.
    report.catch(() => undefined);
    apiScaledUp.catch(() => undefined);
    return { apiBefore, apiScaledUp, report };
  };
  const hasStateLabels = async (name: string): Promise<boolean> => {
    const labels = JSON.parse(await dockerCli(['service', 'inspect', service(name), '--format', '{{json .Spec.Labels}}'])) as Record<string, string>;
    return Object.keys(labels).some((key) => key.startsWith('alertscale.state.'));
  };

  beforeAll(async () => {
    await assertSwarmManager();
    // A rerun on a machine with leftovers: plant one, as a killed run would
    // leave it, and clear every stale stack of this test's prefix.
    const stale = newStackName(Date.now() - STALE_AFTER_MS - 60_000);
    await createSecret(`${stale}_webhook_token`, 'left over');
    await dockerCli(['network', 'create', '--driver', 'overlay', '--label', `com.docker.stack.namespace=${stale}`, `${stale}_monitoring`]);
    for (const leftover of await findStaleStacks(STALE_AFTER_MS)) await removeStack(leftover);
    expect(isEmpty(await listStackObjects(stale))).toBe(true);

    const standins = await buildStandinImages();
    const appImage = await buildAppImage();
    readmeForms = [
      [stack, '${STACK}'],
      [appImage, 'alertscale-local/app:<hash of its inputs>'],
    ];
    expectedImages = {
      alertscale: appImage,
      producer: appImage,
      worker: appImage,
      api: appImage,
      edge: standins.haproxy,
      'docker-guard': appImage,
      'docker-sd-guard': appImage,
      rabbitmq: standins.rabbitmq,
      prometheus: standins.prometheus,
      alertmanager: standins.alertmanager,
      'node-exporter': standins['node-exporter'],
    };
    const [prometheusPort, alertmanagerPort, rabbitmqPort, grafanaPort, edgePort] = await pickHostPorts(5);
    ports = { prometheus: prometheusPort!, alertmanager: alertmanagerPort!, rabbitmq: rabbitmqPort!, grafana: grafanaPort!, edge: edgePort! };
    prometheus = new PrometheusApi(`http://127.0.0.1:${ports.prometheus}`);

    checkout = copyCheckout();
    // The stack is not named `alertscale`: map the demo queue (and the CPU rows)
    // to this stack's worker, as docs/deploy.md tells a user to.
    ran(
      `scripts/build-standin-images.sh`,
      `DOCKER_BUILDKIT=1 docker build --network host --build-arg NODE_IMAGE=alertscale-local/node:20 --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t ${appImage} .`,
      `STACK=${STACK_PREFIX}-<time>`,
      await sedCheckoutFile(checkout, 'rules/tuning.rules.yml', `s/alertscale_worker/${service('worker')}/g; s/alertscale_api/${service('api')}/g`),
      `openssl rand -hex 32 | docker secret create ${stack}_webhook_token -`,
      `openssl rand -hex 12 | docker secret create ${stack}_grafana_admin_password -`,
    );
    await createSecret(`${stack}_webhook_token`, token);
    await createSecret(`${stack}_grafana_admin_password`, secret());
    // [variable, this run's value, README's form]
    const variables: Array<[string, string, string]> = [
      ['ALERTSCALE_IMAGE', appImage, appImage],
      ['RABBITMQ_PASSWORD', rabbitmqPassword, '$(openssl rand -hex 24)'],
      ['RABBITMQ_WORKLOAD_PASSWORD', workloadPassword, '$(openssl rand -hex 24)'],
      ['RABBITMQ_ADMIN_PASSWORD', adminPassword, '$(openssl rand -hex 24)'],
      ['DOCKER_GID', String(fs.statSync('/var/run/docker.sock').gid), '$(stat -c %g /var/run/docker.sock)'],
      ...(['rabbitmq', 'prometheus', 'alertmanager', 'node-exporter', 'haproxy'] as const).map((recipe): [string, string, string] => [
        `STANDIN_${recipe.toUpperCase().replace('-', '_')}_IMAGE`,
        standins[recipe] ?? '',
        `<${recipe}= line of the script>`,
      ]),
      ['PROMETHEUS_PORT', String(ports.prometheus), '<free>'],
      ['ALERTMANAGER_PORT', String(ports.alertmanager), '<free>'],
      ['RABBITMQ_MANAGEMENT_PORT', String(ports.rabbitmq), '<free>'],
      ['GRAFANA_PORT', String(ports.grafana), '<free>'],
      ['EDGE_PORT', String(ports.edge), '<free>'],
      ['WEBHOOK_TOKEN_SECRET', `${stack}_webhook_token`, `${stack}_webhook_token`],
      ['GRAFANA_PASSWORD_SECRET', `${stack}_grafana_admin_password`, `${stack}_grafana_admin_password`],
    ];
    env = { ...process.env, ...Object.fromEntries(variables.map(([name, value]) => [name, value])) };
    ran(`export ${variables.map(([name, , form]) => `${name}=${form}`).join(' ')}`);
    await deploy({ CONFIG_VERSION: `${stack}-1` });
    deployedAt = Date.now();
    workerScaledUp = waitFor(
      'the worker to be scaled up',
      async () => {
        const replicas = await workerReplicas();
        return replicas > 1 ? { replicas, afterS: secondsSince(deployedAt) } : undefined;
      },
      SCALE_UP_MS,
      3000,
    );
    workerScaledUp.catch(() => undefined); // reported by its own test
  }, 1_500_000);

  afterAll(async () => {
    await removeStack(stack);
    if (checkout) fs.rmSync(checkout, { recursive: true, force: true });
    process.stdout.write(`[stackDeploy] commands run:\n${commands.map((c) => `  ${c}`).join('\n')}\n`);
  }, 240_000);

  it(
    `when deployed, then every service converges with all tasks running and healthy within ${CONVERGE_MS / 1000} s, and the left-out ones run nothing`,
    async () => {
      let notYet = '';
      const converged = async (): Promise<boolean> => {
        for (const name of RUNNING) {
          const tasks = (await listTasks(service(name))).filter((task) => task.desiredState === 'running');
          const replicas = await desiredReplicas(service(name));
          const wanted = replicas < 0 ? 1 : replicas; // a global service (-1): one task on this one node
          const running = tasks.filter((task) => task.state === 'running' && task.containerId);
          const healthy: string[] = [];
          for (const task of running) if ((await containerHealth(task.containerId!)) === 'healthy') healthy.push(task.containerId!);
          // The demo load starts at once, so alertscale may be adding worker or api tasks
          // right now: those services count as converged once their first task is healthy.
          const enough = SCALED_BY_ALERTSCALE.includes(name) ? healthy.length >= 1 : healthy.length === wanted && tasks.length === wanted;
          if (!enough) {
            notYet = `${name}: ${healthy.length} healthy of ${tasks.length} tasks (${tasks.map((task) => task.state).join(', ')}), ${wanted} wanted`;
            return false;
          }
        }
        return true;
      };
      await waitFor('every service to run healthy tasks', converged, CONVERGE_MS, 3000).catch((err: Error) => {
        throw new Error(`${err.message}; not yet: ${notYet}`);
      });
      const images = await Promise.all(
        RUNNING.map(async (name) => (await dockerCli(['service', 'inspect', service(name), '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}'])).trim()),
      );
      expect(images).toEqual(RUNNING.map((name) => expectedImages[name]));
      process.stdout.write(`[stackDeploy] converged ${secondsSince(deployedAt)} s after deploy\n`);
      for (const name of LEFT_OUT) {
        expect({ name, replicas: await desiredReplicas(service(name)) }).toEqual({ name, replicas: 0 });
        expect((await listTasks(service(name))).filter((task) => task.desiredState === 'running')).toEqual([]);
      }
      // The edge and the api are healthy now: the spike runs while the next checks do, which need no quiet stack.
      httpSpike = await beginHttpSpike();
    },
    CONVERGE_MS + 30_000,
  );

  it('when deployed, then nothing is published through the routing mesh and the UIs answer on their host-mode ports on 127.0.0.1', async () => {
    const specs = (await dockerCli(['service', 'inspect', ...[...RUNNING, ...LEFT_OUT].map(service), '--format', '{{json .Spec.EndpointSpec}}']))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { Mode?: string; Ports?: Array<{ PublishMode?: string }> });
    expect(specs.map((spec) => spec.Mode)).toEqual([...RUNNING, ...LEFT_OUT].map(() => 'dnsrr'));
    expect(specs.flatMap((spec) => spec.Ports ?? []).map((port) => port.PublishMode)).toEqual(['host', 'host', 'host', 'host', 'host']);
    expect((await fetch(`http://127.0.0.1:${ports.prometheus}/-/ready`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.alertmanager}/-/ready`)).status).toBe(200);
  });

  it('when deployed, then RabbitMQ has the users of its definitions (admin for the UI, guest refused), the management and Prometheus plugins, and the demo queue with its consumer', async () => {
    const auth = `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`;
    const whoami = await fetch(`http://127.0.0.1:${ports.rabbitmq}/api/whoami`, { headers: { authorization: auth } });
    expect(whoami.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.rabbitmq}/api/whoami`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } })).status).toBe(
      401,
    );
    const queue = await waitFor(
      'queue demo.jobs with a consumer',
      async () => {
        const res = await fetch(`http://127.0.0.1:${ports.rabbitmq}/api/queues/%2F/demo.jobs`, { headers: { authorization: auth } });
        const body = res.ok ? ((await res.json()) as { durable: boolean; consumers: number }) : undefined;
        return body && body.consumers >= 1 ? body : undefined;
      },
      60_000,
      2000,
    );
    expect(queue.durable).toBe(true);
    const plugins = await exec('rabbitmq', ['rabbitmq-plugins', '-q', 'list', '-e', '-m']);
    expect(plugins.out.split('\n').filter(Boolean).sort()).toEqual(expect.arrayContaining(['rabbitmq_management', 'rabbitmq_prometheus']));
  }, 90_000);

  it('when deployed, then Prometheus discovers alertscale, RabbitMQ, the workload (producer, worker, api, edge) and node-exporter through Swarm service discovery and scrapes every one', async () => {
    const expected = [
      ['alertscale', 'alertscale', 2],
      ['rabbitmq-queues', 'rabbitmq', 1],
      ['rabbitmq', 'rabbitmq', 1],
      [service('producer'), 'producer', 1],
      [service('worker'), 'worker', 1],
      [service('node-exporter'), 'node-exporter', 1],
      [service('api'), 'api', API_MIN],
      [service('edge'), 'edge', 1],
      [service('alertmanager'), 'alertmanager', 1],
    ] as const;
    const summary = async (): Promise<string[]> => {
      const ours = (await prometheus.activeTargets()).filter((target) => target.discoveredLabels.__meta_dockerswarm_service_name?.startsWith(`${stack}_`));
      return expected.map(([job, name, count]) => {
        const targets = ours.filter((target) => target.labels.job === job && target.discoveredLabels.__meta_dockerswarm_service_name === service(name));
        const up = targets.filter((target) => target.health === 'up').length;
        return `${job}/${name}: ${up}/${targets.length} up${
          up < targets.length
            ? ` (${targets
                .map((t) => t.lastError)
                .filter(Boolean)
                .join('; ')})`
            : ''
        }, want at least ${count}`;
      });
    };
    const allUp = async (): Promise<boolean> =>
      (await summary()).every((line) => {
        const match = /: (\d+)\/(\d+) up.*, want at least (\d+)$/.exec(line);
        // Every target up, at least the count wanted (alertscale may have added worker or api tasks).
        return match !== null && match[1] === match[2] && Number(match[2]) >= Number(match[3]);
      });
    await waitFor('every discovered target to be up', allUp, 120_000, 3000).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${(await summary()).join('\n')}`);
    });
    const service_ = (await prometheus.samples(`up{job="${service('worker')}"}`))[0]?.metric.service;
    expect(service_).toBe(service('worker'));
  }, 150_000);

  it('when deployed, then every shipped rule file is loaded from its Swarm config and evaluates without error, and Alertmanager is the alerting target', async () => {
    const groups = await waitFor(
      'every rule to have been evaluated',
      async () => {
        const loaded = await prometheus.groups();
        return loaded.length > 0 && loaded.every((group) => group.rules.every((rule) => rule.health !== 'unknown')) ? loaded : undefined;
      },
      90_000,
      3000,
    );
    expect([...new Set(groups.map((group) => path.basename(group.file)))].sort()).toEqual(SHIPPED_RULE_FILES);
    const broken = groups.flatMap((group) => group.rules.filter((rule) => rule.health !== 'ok').map((rule) => `${group.file}: ${rule.name}: ${rule.lastError}`));
    expect(broken).toEqual([]);
    expect(await prometheus.activeAlertmanagers()).toEqual(['http://alertmanager:9093/api/v2/alerts']);
  }, 120_000);

  it('when the Watchdog fires, then Alertmanager delivers it to alertscale by service name with the secret token, and a peer with a wrong or no token is refused', async () => {
    const amMetric = async (name: string): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${ports.alertmanager}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes('integration="webhook"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    await waitFor('a webhook notification from Alertmanager', async () => (await amMetric('alertmanager_notifications_total')) >= 1, 120_000, 3000);
    expect(await amMetric('alertmanager_notifications_failed_total')).toBe(0);
    await waitFor(
      'alertscale to have answered 2xx to Alertmanager',
      async () => {
        const samples = await prometheus.samples('sum(alertscale_webhook_requests_total{code=~"2.."})');
        return Number(samples[0]?.value[1] ?? 0) >= 1;
      },
      90_000,
      3000,
    );

    const post = (header: string[]): string[] => [
      'wget',
      '-q',
      '-O',
      '-',
      ...header,
      '--header',
      'Content-Type: application/json',
      '--post-data',
      '{"version":"4","status":"firing","receiver":"alertscale","groupKey":"x","alerts":[]}',
      'http://alertscale:8080/webhook',
    ];
    const wrong = await exec('alertmanager', post(['--header', 'Authorization: Bearer not-the-token']));
    expect(wrong).toEqual({ code: 1, out: expect.stringContaining('401') });
    const none = await exec('alertmanager', post([]));
    expect(none).toEqual({ code: 1, out: expect.stringContaining('401') });
  }, 240_000);

  it('when alertscale and Prometheus call Docker, then neither has the socket and each goes through its guard, which refuses what docs/deploy.md says it refuses', async () => {
    for (const name of ['alertscale', 'prometheus']) {
      const spec = JSON.parse(await dockerCli(['service', 'inspect', service(name), '--format', '{{json .Spec.TaskTemplate.ContainerSpec}}'])) as {
        Mounts?: Array<{ Source?: string }>;
      };
      expect({ name, socket: (spec.Mounts ?? []).filter((mount) => mount.Source === '/var/run/docker.sock') }).toEqual({ name, socket: [] });
    }

    const allowed: Array<[string, string]> = [
      ['GET', '/_ping'],
      ['GET', '/version'],
      ['GET', '/services'],
      ['GET', `/v1.41/services/${service('worker')}`],
    ];
    const refused: Array<[string, string]> = [
      ['GET', '/v1.41/containers/json'],
      ['POST', '/v1.41/containers/create'],
      ['POST', '/v1.41/containers/x/exec'],
      ['POST', '/v1.41/exec/x/start'],
      ['POST', '/v1.41/services/create'],
      ['GET', '/v1.41/images/json'],
      ['GET', '/v1.41/volumes'],
      ['GET', '/v1.41/networks'],
      ['GET', '/v1.41/nodes'],
      ['GET', '/v1.41/tasks'],
      ['GET', '/v1.41/secrets'],
      ['GET', '/v1.41/configs'],
      ['GET', '/v1.41/swarm'],
      ['POST', '/v1.41/swarm/leave'],
      ['GET', '/v1.41/info'],
      ['GET', '/v1.41/system/df'],
      ['GET', '/v1.41/events'],
    ];
    const script =
      "const fs=require('fs');const c=JSON.parse(process.argv[1]);" +
      "Promise.all(c.map(([m,p])=>fetch('http://docker-guard:2375'+p,{method:m,signal:AbortSignal.timeout(5000)}).then(r=>r.status,e=>String(e))))" +
      ".then(s=>console.log(JSON.stringify({socket:fs.existsSync('/var/run/docker.sock'),statuses:s})))";
    const result = await exec('alertscale', ['node', '-e', script, JSON.stringify([...allowed, ...refused])]);
    expect(result.code).toBe(0);
    const { socket, statuses } = JSON.parse(result.out) as { socket: boolean; statuses: Array<number | string> };
    expect(socket).toBe(false);
    const labelled = [...allowed, ...refused].map(([method, p], i) => `${method} ${p} ${statuses[i]}`);
    expect(labelled).toEqual([...allowed.map(([m, p]) => `${m} ${p} 200`), ...refused.map(([m, p]) => `${m} ${p} 403`)]);

    // Prometheus' read-only guard: what service discovery reads, and nothing that changes or exposes more.
    const fromPrometheus = async (p: string): Promise<string> =>
      (await exec('prometheus', ['wget', '-q', '-O', '/dev/null', `http://docker-sd-guard:2375${p}`])).code === 0 ? `${p} ok` : `${p} refused`;
    expect(await Promise.all(['/v1.41/services', '/v1.41/tasks', '/v1.41/containers/json', '/v1.41/secrets'].map(fromPrometheus))).toEqual([
      '/v1.41/services ok',
      '/v1.41/tasks ok',
      '/v1.41/containers/json refused',
      '/v1.41/secrets refused',
    ]);
  }, 60_000);

  it(
    `when HTTP load arrives at the edge's host-mode port, then the chain inside the stack scales the api up within ${HTTP_SCALE_UP_MS / 1000} s`,
    async () => {
      if (!httpSpike) throw new Error('the stack did not converge: no HTTP load was sent');
      const { apiBefore, apiScaledUp, report: load } = httpSpike;
      expect(apiBefore).toBe(API_MIN);
      try {
        const { replicas, afterS } = await apiScaledUp;
        process.stdout.write(`[stackDeploy] api scaled to ${replicas} ${afterS} s after the HTTP load began\n`);
        expect(await hasStateLabels('api')).toBe(true);
      } finally {
        const report = await load;
        // The edge answered (a spike over the replicas' capacity may also get 503s after its line's 8 s, by design).
        expect(report.statuses[200] ?? 0).toBeGreaterThan(HTTP_SPIKE.rate * 5);
        process.stdout.write(`[stackDeploy] HTTP load: ${responses(report)} responses ${JSON.stringify(report.statuses)} in ${report.totalSeconds} s\n`);
      }
    },
    HTTP_SCALE_UP_MS + HTTP_SPIKE.durationS * 1000 + 30_000,
  );

  it(
    `when the demo producer outpaces one worker, then the chain inside the stack scales the worker up within ${SCALE_UP_MS / 1000} s of the deploy`,
    async () => {
      const { replicas, afterS } = await (workerScaledUp ?? Promise.reject(new Error('the stack was not deployed')));
      peakReplicas = replicas;
      // When the watch saw it, not when this test ran: the checks before it take their own time.
      process.stdout.write(`[stackDeploy] worker scaled to ${replicas} ${afterS} s after deploy\n`);
      expect(await hasStateLabels('worker')).toBe(true);
    },
    SCALE_UP_MS + 30_000,
  );

  it(
    `when the producer is stopped and shortened scale-down timings are deployed as a second config version, then the chain scales the worker back to its minimum within ${SCALE_DOWN_MS / 1000} s`,
    async () => {
      expect(peakReplicas).toBeGreaterThan(WORKER_MIN);
      // What a user does (docs/deploy.md, "Watch the demo scale down"): edit the
      // rule files and the cooldown, deploy them as a new CONFIG_VERSION keeping
      // the current replicas, and stop the load.
      ran(
        await sedCheckoutFile(checkout, 'rules/queue.rules.yml', `s/queue:desired_replicas_down:raw\\[5m\\]/queue:desired_replicas_down:raw[${SHORT_WINDOW}]/`),
        await sedCheckoutFile(
          checkout,
          'rules/idle.rules.yml',
          `s/queue:desired_replicas_down:raw offset 5m/queue:desired_replicas_down:raw offset ${SHORT_WINDOW}/; s/^        for: .*$/        for: ${SHORT_DOWN_FOR}/`,
        ),
        await sedCheckoutFile(checkout, 'stack.yml', `s/alertscale.cooldown.down: "5m"/alertscale.cooldown.down: "${SHORT_COOLDOWN_DOWN}"/`),
      );
      const replicasNow = async (name: string): Promise<[string, string]> => {
        const args = ['service', 'inspect', service(name), '--format', '{{.Spec.Mode.Replicated.Replicas}}'];
        return [(await dockerCli(args)).trim(), `$(docker ${args.map((arg) => (arg.includes('{') ? `'${arg}'` : arg)).join(' ')})`];
      };
      const [[current, currentShown], [api, apiShown]] = await Promise.all([replicasNow('worker'), replicasNow('api')]);
      const redeployedAt = Date.now();
      await deploy(
        { CONFIG_VERSION: `${stack}-2`, WORKER_REPLICAS: current, API_REPLICAS: api },
        { CONFIG_VERSION: `${stack}-2`, WORKER_REPLICAS: currentShown, API_REPLICAS: apiShown },
      );
      await dockerCli(['service', 'scale', '--detach', `${service('producer')}=0`]);
      ran(`docker service scale --detach ${service('producer')}=0`);
      expect(await desiredReplicas(service('producer'))).toBe(0);
      await waitFor(`the worker to be back at ${WORKER_MIN}`, async () => (await workerReplicas()) === WORKER_MIN, SCALE_DOWN_MS, 3000);
      process.stdout.write(`[stackDeploy] worker scaled down ${current} -> ${WORKER_MIN} ${secondsSince(redeployedAt)} s after the redeploy\n`);
      // alertscale did it (the redeploy dropped its state labels; its scale-down wrote them back).
      expect(await hasStateLabels('worker')).toBe(true);
    },
    SCALE_DOWN_MS + 240_000,
  );

  it('when the stack is removed, then no service, config, secret, network or volume of it is left', async () => {
    ran(
      `docker stack rm ${stack}`,
      `docker secret rm ${stack}_webhook_token ${stack}_grafana_admin_password`,
      `docker volume rm $(docker volume ls -q --filter label=com.docker.stack.namespace=${stack})`,
    );
    const left = await removeStack(stack);
    expect(left).toEqual({ services: [], configs: [], secrets: [], networks: [], volumes: [] });
    expect(stack.startsWith(`${STACK_PREFIX}-`)).toBe(true);
  }, 240_000);

  it("when the run is over, then README's deploy section lists exactly the commands it ran", () => {
    expect(readmeDeployCommands()).toEqual(commands);
  });
});
