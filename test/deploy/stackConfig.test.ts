import fs from 'node:fs';
import path from 'node:path';
import { renderStack, splitSection } from '../support/stackConfig';
import { REPO_ROOT } from '../../harness/repoRoot';

/** What `docker stack deploy` would need from the shell (docs/deploy.md). */
const DEPLOY_ENV = { RABBITMQ_PASSWORD: 'test-password', RABBITMQ_WORKLOAD_PASSWORD: 'workload-password', RABBITMQ_ADMIN_PASSWORD: 'admin-password', DOCKER_GID: '999' };

const filesUnder = (dir: string, pattern: RegExp): string[] => {
  const root = path.join(REPO_ROOT, dir);
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).map((file) => path.join(root, file)).filter((file) => fs.statSync(file).isFile() && pattern.test(file));
};

describe('stack.yml', () => {
  let rendered = '';
  let services = new Map<string, string>();

  beforeAll(async () => {
    rendered = await renderStack('stack.yml', REPO_ROOT, DEPLOY_ENV);
    services = splitSection(rendered, 'services');
  });

  it('when rendered by docker stack config, then it is accepted with every part of the system in it', () => {
    expect([...services.keys()].sort()).toEqual(
      [
        'alertmanager',
        'alertscale',
        'api',
        'cadvisor',
        'docker-guard',
        'docker-sd-guard',
        'edge',
        'grafana',
        'node-exporter',
        'prometheus',
        'producer',
        'rabbitmq',
        'worker',
      ].sort(),
    );
  });

  it('when a required variable is unset, then docker stack config refuses the file and names it', async () => {
    for (const variable of Object.keys(DEPLOY_ENV)) {
      const { [variable as keyof typeof DEPLOY_ENV]: _missing, ...rest } = DEPLOY_ENV;
      await expect(renderStack('stack.yml', REPO_ROOT, rest)).rejects.toThrow(new RegExp(`required variable ${variable} `));
    }
  });

  it('when the stack references files as configs or secrets, then each one exists in the repository', () => {
    const referenced = [...splitSection(rendered, 'configs').values(), ...splitSection(rendered, 'secrets').values()]
      .map((block) => /^\s+file:\s+(\S+)/m.exec(block)?.[1])
      .filter((file): file is string => file !== undefined);
    expect(referenced.length).toBeGreaterThan(0);
    for (const file of referenced) {
      expect(path.resolve(file).startsWith(REPO_ROOT + path.sep)).toBe(true);
      expect(fs.existsSync(file) ? file : `missing: ${file}`).toBe(file);
    }
  });

  it('when rules, Prometheus, Alertmanager or Grafana files exist in the repository, then the stack mounts every one of them', () => {
    const referenced = new Set([...splitSection(rendered, 'configs').values()].map((block) => path.resolve(/^\s+file:\s+(\S+)/m.exec(block)?.[1] ?? '')));
    const expected = [
      ...filesUnder('rules', /\.rules\.ya?ml$/).filter((file) => !file.includes(`${path.sep}tests${path.sep}`)),
      ...filesUnder('prometheus', /prometheus\.ya?ml$/),
      ...filesUnder('alertmanager', /alertmanager\.ya?ml$/),
      ...filesUnder('grafana/provisioning', /\.ya?ml$/),
      ...filesUnder('grafana/dashboards', /\.json$/),
    ];
    const missing = expected.filter((file) => !referenced.has(file)).map((file) => path.relative(REPO_ROOT, file));
    expect(missing).toEqual([]);
  });

  it('when any service is deployed, then it has resource limits and reservations and a health check', () => {
    for (const [name, block] of services) {
      expect({ name, limits: /^\s+limits:/m.test(block), reservations: /^\s+reservations:/m.test(block) }).toEqual({
        name,
        limits: true,
        reservations: true,
      });
      expect({ name, healthcheck: /^\s{4}healthcheck:/m.test(block) }).toEqual({ name, healthcheck: true });
    }
  });

  it('when the Docker API guards are deployed, then they alone hold the socket, each shares an internal network with its one client only', () => {
    const networksOf = (block: string): string[] => {
      const match = /^ {4}networks:\n((?: {6}.*\n?)+)/m.exec(block);
      return match?.[1] ? [...match[1].matchAll(/^ {6}([^\s:]+):/gm)].map((m) => m[1] ?? '') : [];
    };
    const sharing = (network: string) =>
      [...services]
        .filter(([, block]) => networksOf(block).includes(network))
        .map(([name]) => name)
        .sort();
    expect(networksOf(services.get('docker-guard') ?? '')).toEqual(['docker_api']);
    expect(networksOf(services.get('docker-sd-guard') ?? '')).toEqual(['docker_sd']);
    expect(sharing('docker_api')).toEqual(['alertscale', 'docker-guard']);
    expect(sharing('docker_sd')).toEqual(['docker-sd-guard', 'prometheus']);
    for (const network of ['docker_api', 'docker_sd']) expect(splitSection(rendered, 'networks').get(network)).toMatch(/internal: true/);
    const holders = [...services]
      .filter(([, block]) => /\/var\/run\/docker\.sock/.test(block))
      .map(([name]) => name)
      .sort();
    // cAdvisor's /var/run mount (container stats) is the one other way to the socket: docs/deploy.md, "Security model".
    expect(holders).toEqual(['docker-guard', 'docker-sd-guard']);
    expect(services.get('docker-guard')).toMatch(/GUARD_MODE: scale/);
    expect(services.get('docker-sd-guard')).toMatch(/GUARD_MODE: read-only/);
    expect(services.get('docker-guard')).toMatch(/dist\/src\/guard\/main\.js/);
    const alertscale = services.get('alertscale') ?? '';
    expect(alertscale).toMatch(/DOCKER_HOST: tcp:\/\/docker-guard:2375/);
    expect(alertscale).not.toMatch(/docker\.sock/);
    expect(alertscale).toMatch(/WEBHOOK_TOKEN_FILE: \/run\/secrets\/alertscale_webhook_token/);
    expect(alertscale).toMatch(/replicas: 2/);
    expect(alertscale).toMatch(/node\.role == manager/);
  });

  it('when Prometheus discovers Swarm targets, then it asks the read-only guard, not the socket', () => {
    const prometheusYml = fs.readFileSync(path.join(REPO_ROOT, 'prometheus', 'prometheus.yml'), 'utf8');
    const hosts = [...prometheusYml.matchAll(/^\s+- host: (\S+)/gm)].map((match) => match[1]);
    expect(hosts.length).toBeGreaterThan(0);
    expect(new Set(hosts)).toEqual(new Set(['tcp://docker-sd-guard:2375']));
    expect(services.get('prometheus')).not.toMatch(/docker\.sock/);
  });

  it('when the demo worker and api are deployed, then they opt in to alertscale with bounds, steps and cooldowns', () => {
    for (const label of ['alertscale.enabled: "true"', 'alertscale.min:', 'alertscale.max:', 'alertscale.step.down: "1"']) expect(services.get('api')).toContain(label);
    const worker = services.get('worker') ?? '';
    for (const label of [
      'alertscale.enabled: "true"',
      'alertscale.min:',
      'alertscale.max:',
      'alertscale.step.up:',
      'alertscale.step.down:',
      'alertscale.cooldown.up:',
      'alertscale.cooldown.down:',
    ]) {
      expect(worker).toContain(label);
    }
    expect(services.get('producer')).not.toContain('alertscale.enabled');
  });

  it('when the demo workload and alertscale connect to RabbitMQ, then they use different users and vhosts, and the workload has no password of alertscale', () => {
    const amqpUrlOf = (name: string) => new URL(/AMQP_URL: (\S+)/.exec(services.get(name) ?? '')?.[1] ?? 'missing://');
    const alertscale = amqpUrlOf('alertscale');
    expect({ user: alertscale.username, vhost: alertscale.pathname }).toEqual({ user: 'alertscale', vhost: '/alertscale' });
    for (const workload of ['producer', 'worker', 'api']) {
      const url = amqpUrlOf(workload);
      expect({ workload, user: url.username, vhost: decodeURIComponent(url.pathname.slice(1)) }).toEqual({ workload, user: 'workload', vhost: '/' });
      expect(services.get(workload)).not.toContain(DEPLOY_ENV.RABBITMQ_PASSWORD);
    }
    expect(splitSection(rendered, 'configs').get('rabbitmq_definitions')).toMatch(/template_driver: golang/);
    expect(services.get('rabbitmq')).toMatch(/target: \/etc\/rabbitmq\/definitions\.json/);
    expect(services.get('rabbitmq')).not.toMatch(/RABBITMQ_DEFAULT_USER/);
    // RabbitMQ reads the definitions from where the stack mounts them.
    expect(fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'rabbitmq', 'alertscale.conf'), 'utf8')).toMatch(/^load_definitions = \/etc\/rabbitmq\/definitions\.json$/m);
  });

  it('when the api and its edge are deployed, then the edge finds tasks.api through DNS (dnsrr, no VIP), exports its metrics, and the api drains within its grace period', () => {
    const api = services.get('api') ?? '';
    expect(api).toMatch(/endpoint_mode: dnsrr/);
    expect(fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'haproxy', 'haproxy.cfg'), 'utf8')).toMatch(/server-template api- \d+ tasks\.api:8080 resolvers docker/);
    expect(services.get('edge')).toMatch(/prometheus\.port: "8404"/);
    const ms = (name: string): number => Number(new RegExp(`${name}: "(\\d+)"`).exec(api)?.[1]);
    const graceS = Number(/stop_grace_period: (\d+)s/.exec(api)?.[1]);
    expect(graceS * 1000).toBeGreaterThan(ms('DRAIN_DELAY_MS') + ms('SHUTDOWN_GRACE_MS'));
  });
});
