/**
 * deploy/rabbitmq/definitions.json as the stack's rabbitmq gets it: rendered by
 * the real Swarm (a config with the golang template driver, mounted in a
 * container with the passwords in its environment), then imported into this
 * machine's RabbitMQ with its users and vhosts renamed, so the test neither
 * clashes with nor touches anyone else's.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as amqp from 'amqplib';
import { ownerLabel, TEST_IMAGE } from '../../harness/swarmServices';
import { REPO_ROOT } from '../../harness/repoRoot';
import { waitFor } from '../../harness/polling';
import { AMQP_URL, rabbitmqctl } from '../../harness/rabbit';
import { DOCKER_CLI } from '../../harness/images/importImage';

interface Definitions {
  users: Array<{ name: string; password: string; tags: string[] }>;
  vhosts: Array<{ name: string }>;
  permissions: Array<{ user: string; vhost: string; configure: string; write: string; read: string }>;
}

/** The docker CLI: configs with a template driver and `docker exec` have no Dockerode call as simple. */
const docker = async (...args: string[]): Promise<string> => (await promisify(execFile)(DOCKER_CLI, args, { timeout: 60_000 })).stdout.trim();

const TEMPLATE_FILE = join(REPO_ROOT, 'deploy', 'rabbitmq', 'definitions.json');
const PASSWORD_VARIABLES = ['RABBITMQ_ADMIN_PASSWORD', 'RABBITMQ_ALERTSCALE_PASSWORD', 'RABBITMQ_WORKLOAD_PASSWORD'];
const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const rename = (name: string) => (name === '/' ? `asdefs-root-${suffix}` : `asdefs-${name}-${suffix}`);
const passwords = new Map(PASSWORD_VARIABLES.map((variable) => [variable, randomBytes(12).toString('hex')]));

/** What a container of the stack sees at the config's target, with `env` in its environment. */
async function renderInSwarm(file: string, env: Map<string, string>): Promise<string> {
  const name = `asdefs-tpl-${suffix}`;
  await docker('config', 'create', '--template-driver', 'golang', name, file);
  try {
    const environment = [...env].flatMap(([variable, value]) => ['-e', `${variable}=${value}`]);
    await docker(
      'service',
      'create',
      '-d',
      '-q',
      '--name',
      name,
      '--label',
      Object.entries(ownerLabel())
        .map(([key, value]) => `${key}=${value}`)
        .join(''),
      '--restart-condition',
      'none',
      '--network',
      'host',
      '--config',
      `source=${name},target=/rendered.json`,
      ...environment,
      TEST_IMAGE,
      'sleep',
      '120',
    );
    const container = await waitFor(
      'the template container to run',
      async () => (await docker('ps', '-q', '-f', `label=com.docker.swarm.service.name=${name}`)) || undefined,
      30_000,
      250,
    );
    return await docker('exec', container, '/bin/busybox', 'cat', '/rendered.json');
  } finally {
    await docker('service', 'rm', name).catch(() => undefined);
    // A config in use cannot be removed: wait for the task to go.
    await waitFor(
      'the template config to be removed',
      () =>
        docker('config', 'rm', name).then(
          () => true,
          () => undefined,
        ),
      30_000,
      500,
    ).catch(() => undefined);
  }
}

let definitions: Definitions;
let renamed: Definitions;
const passwordOf = (user: string) => renamed.users.find((entry) => entry.name === rename(user))?.password ?? 'missing';

function urlFor(user: string, vhost: string): string {
  const url = new URL(AMQP_URL);
  url.username = rename(user);
  url.password = passwordOf(user);
  url.pathname = `/${encodeURIComponent(rename(vhost))}`;
  return url.toString();
}

/** Connects and publishes one message to a queue of the vhost; resolves with what the broker answered. */
async function tryPublish(user: string, vhost: string): Promise<string> {
  let model: amqp.ChannelModel | undefined;
  try {
    model = await amqp.connect(urlFor(user, vhost), { timeout: 5000 });
    model.on('error', () => undefined);
    const channel = await model.createConfirmChannel();
    channel.on('error', () => undefined);
    await channel.assertQueue('alertscale.intents', { durable: false, autoDelete: true });
    await new Promise<void>((resolve, reject) =>
      channel.sendToQueue('alertscale.intents', Buffer.from('{}'), {}, (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error('publish not confirmed')) : resolve(),
      ),
    );
    return 'published';
  } catch (error) {
    return String((error as Error).message);
  } finally {
    await model?.close().catch(() => undefined);
  }
}

/** amqplib reports the broker's "access to vhost refused" (530) as a close instead of connection.open-ok. */
const REFUSED = /Expected ConnectionOpenOk; got <ConnectionClose|ACCESS_REFUSED|NOT_ALLOWED/;

let workDir = '';

beforeAll(async () => {
  const rendered = await renderInSwarm(TEMPLATE_FILE, passwords);
  expect(rendered).not.toMatch(/\{\{/);
  definitions = JSON.parse(rendered) as Definitions;
  renamed = {
    users: definitions.users.map((user) => ({ ...user, name: rename(user.name) })),
    vhosts: definitions.vhosts.map((vhost) => ({ name: rename(vhost.name) })),
    permissions: definitions.permissions.map((permission) => ({ ...permission, user: rename(permission.user), vhost: rename(permission.vhost) })),
  };
  workDir = mkdtempSync(join(tmpdir(), 'asdefs-'));
  const file = join(workDir, 'definitions.json');
  writeFileSync(file, JSON.stringify(renamed));
  // rabbitmqctl reads the file as the rabbitmq user; the passwords are random and die with the users.
  chmodSync(workDir, 0o755);
  chmodSync(file, 0o644);
  try {
    await rabbitmqctl('import_definitions', file);
  } catch (error) {
    throw new Error(`RabbitMQ is required (rabbitmqctl import_definitions failed; run \`npm run setup\`): ${(error as Error).message}`, { cause: error });
  }
}, 120_000);

afterAll(async () => {
  for (const user of renamed?.users ?? []) await rabbitmqctl('delete_user', user.name).catch(() => undefined);
  for (const vhost of renamed?.vhosts ?? []) await rabbitmqctl('delete_vhost', vhost.name).catch(() => undefined);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 60_000);

describe('RabbitMQ definitions of the stack (deploy/rabbitmq/definitions.json)', () => {
  test('when Swarm renders the template, then every password comes from the container environment, one variable per user', () => {
    expect(Object.fromEntries(definitions.users.map((user) => [user.name, user.password]))).toEqual({
      admin: passwords.get('RABBITMQ_ADMIN_PASSWORD'),
      alertscale: passwords.get('RABBITMQ_ALERTSCALE_PASSWORD'),
      workload: passwords.get('RABBITMQ_WORKLOAD_PASSWORD'),
    });
  });

  test("when the workload user (demo producer and worker) tries alertscale's vhost, then the broker refuses it, so it can never publish an intent", async () => {
    await expect(tryPublish('workload', 'alertscale')).resolves.toMatch(REFUSED);
    const permissions = await rabbitmqctl('-q', 'list_user_permissions', rename('workload'));
    expect(permissions).toContain(rename('/'));
    expect(permissions).not.toContain(rename('alertscale'));
  });

  test('when each user uses its own vhost, then it can declare and publish', async () => {
    await expect(tryPublish('alertscale', 'alertscale')).resolves.toBe('published');
    await expect(tryPublish('workload', '/')).resolves.toBe('published');
  });

  test("when alertscale's user tries the workload vhost, then it is refused too (a leaked alertscale password does not reach the jobs)", async () => {
    await expect(tryPublish('alertscale', '/')).resolves.toMatch(REFUSED);
  });

  test('when the users are imported, then only admin has a management tag', () => {
    expect(definitions.users.filter((user) => user.tags.length > 0).map((user) => [user.name, user.tags])).toEqual([['admin', ['administrator']]]);
  });
});
