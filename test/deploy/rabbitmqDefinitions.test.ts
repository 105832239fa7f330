/**
 * deploy/rabbitmq/definitions.json on this machine's RabbitMQ: imported as the
 * stack's rabbitmq would import it, with its users and vhosts renamed so the
 * test neither clashes with nor touches anyone else's.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { PROJECT_DIR } from '../support/buildLocalImage';
import { AMQP_URL, rabbitmqctl } from '../integration/rabbitmq/support';

interface Definitions {
  users: Array<{ name: string; password: string; tags: string[] }>;
  vhosts: Array<{ name: string }>;
  permissions: Array<{ user: string; vhost: string; configure: string; write: string; read: string }>;
}

const TEMPLATE = readFileSync(join(PROJECT_DIR, 'deploy', 'rabbitmq', 'definitions.json'), 'utf8');
const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const rename = (name: string) => (name === '/' ? `asdeploy-root-${suffix}` : `asdeploy-${name}-${suffix}`);
const passwords = new Map<string, string>();

/** Renders the Swarm (golang) template the way the rabbitmq container gets it: only `env` is used. */
function render(template: string): Definitions {
  const rendered = template.replace(/\{\{\s*env\s+"(\w+)"\s*\}\}/g, (_, variable: string) => {
    const password = randomBytes(12).toString('hex');
    passwords.set(variable, password);
    return password;
  });
  expect(rendered).not.toMatch(/\{\{/);
  return JSON.parse(rendered) as Definitions;
}

const definitions = render(TEMPLATE);
const renamed: Definitions = {
  users: definitions.users.map((user) => ({ ...user, name: rename(user.name) })),
  vhosts: definitions.vhosts.map((vhost) => ({ name: rename(vhost.name) })),
  permissions: definitions.permissions.map((permission) => ({ ...permission, user: rename(permission.user), vhost: rename(permission.vhost) })),
};
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
    await new Promise<void>((resolve, reject) => channel.sendToQueue('alertscale.intents', Buffer.from('{}'), {}, (error: unknown) => (error ? reject(error) : resolve())));
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
  workDir = mkdtempSync(join(tmpdir(), 'asdeploy-'));
  const file = join(workDir, 'definitions.json');
  writeFileSync(file, JSON.stringify(renamed));
  // rabbitmqctl reads the file as the rabbitmq user; the passwords are random and die with the users.
  chmodSync(workDir, 0o755);
  chmodSync(file, 0o644);
  try {
    await rabbitmqctl('import_definitions', file);
  } catch (error) {
    throw new Error(`RabbitMQ is required (rabbitmqctl import_definitions failed; run scripts/setup-test-env.sh): ${(error as Error).message}`);
  }
}, 60_000);

afterAll(async () => {
  for (const user of renamed.users) await rabbitmqctl('delete_user', user.name).catch(() => undefined);
  for (const vhost of renamed.vhosts) await rabbitmqctl('delete_vhost', vhost.name).catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
}, 60_000);

describe('RabbitMQ definitions of the stack (deploy/rabbitmq/definitions.json)', () => {
  test('when the template is read, then every password comes from the environment, one variable per user', () => {
    expect([...passwords.keys()].sort()).toEqual(['RABBITMQ_ADMIN_PASSWORD', 'RABBITMQ_ALERTSCALE_PASSWORD', 'RABBITMQ_WORKLOAD_PASSWORD']);
    expect(definitions.users.map((user) => user.name).sort()).toEqual(['admin', 'alertscale', 'workload']);
  });

  test('when the workload user (demo producer and worker) tries alertscale\'s vhost, then the broker refuses it, so it can never publish an intent', async () => {
    await expect(tryPublish('workload', 'alertscale')).resolves.toMatch(REFUSED);
    const permissions = await rabbitmqctl('-q', 'list_user_permissions', rename('workload'));
    expect(permissions).toContain(rename('/'));
    expect(permissions).not.toContain(rename('alertscale'));
  });

  test('when each user uses its own vhost, then it can declare and publish', async () => {
    await expect(tryPublish('alertscale', 'alertscale')).resolves.toBe('published');
    await expect(tryPublish('workload', '/')).resolves.toBe('published');
  });

  test('when alertscale\'s user tries the workload vhost, then it is refused too (a leaked alertscale password does not reach the jobs)', async () => {
    await expect(tryPublish('alertscale', '/')).resolves.toMatch(REFUSED);
  });

  test('when the users are imported, then only admin has a management tag', () => {
    expect(definitions.users.filter((user) => user.tags.length > 0).map((user) => [user.name, user.tags])).toEqual([['admin', ['administrator']]]);
  });
});
