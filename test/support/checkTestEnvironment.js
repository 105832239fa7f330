/**
 * globalSetup of the `services` project: checks, without installing anything,
 * that what `npm run setup` installs and starts is there, so a machine that was
 * never prepared fails in seconds with one message instead of forty timeouts.
 */
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { URL } = require('node:url');

const BINARIES = [
  '/usr/bin/promtool',
  '/usr/bin/amtool',
  '/usr/bin/prometheus',
  '/usr/bin/prometheus-alertmanager',
  '/bin/busybox',
  '/usr/sbin/rabbitmqctl',
  '/usr/bin/chromium',
  '/usr/sbin/haproxy',
  '/usr/bin/hey',
  '/usr/bin/mmdebstrap',
];
const TEST_IMAGE = 'alertscale-test/busybox:latest';

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 2000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function docker(...args) {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
}

async function findProblems(rootDir) {
  const problems = BINARIES.filter((bin) => !existsSync(bin)).map((bin) => `${bin} is missing`);
  try {
    const swarm = docker('info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}');
    if (swarm !== 'active true') problems.push(`this Docker node is not an active Swarm manager (${swarm})`);
    try {
      docker('image', 'inspect', TEST_IMAGE);
    } catch {
      problems.push(`the image ${TEST_IMAGE} is missing`);
    }
  } catch {
    problems.push('Docker does not answer on its default socket');
  }
  const amqpUrl = new URL(process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  if (!(await canConnect(Number(amqpUrl.port || 5672)))) problems.push(`RabbitMQ does not accept connections on 127.0.0.1:${amqpUrl.port || 5672}`);
  if (!(await canConnect(15692))) problems.push('rabbitmq_prometheus does not answer on 127.0.0.1:15692');
  if (!existsSync(path.join(rootDir, 'dist', 'src', 'main.js'))) problems.push('dist/src/main.js is missing (npm run build; npm test builds it)');
  return problems;
}

module.exports = async function checkTestEnvironment(_globalConfig, projectConfig) {
  const problems = await findProblems(projectConfig.rootDir);
  if (problems.length > 0) {
    throw new Error(
      `The real-service tests cannot run on this machine:\n  - ${problems.join('\n  - ')}\n` +
        'Run `npm run setup` once (installs and starts Docker with a single-node Swarm, RabbitMQ, Prometheus and Alertmanager), then `npm test`. `npm run test:unit` needs none of it.',
    );
  }
};
