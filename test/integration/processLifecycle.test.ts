import { createServer, type Server } from 'node:net';
import { findFreePort } from '../../harness/polling';
import { inspectService } from '../../harness/docker';
import { runAlertscaleExpectingExit, startAlertscale } from '../../harness/startAlertscale';
import { fixtureFor } from '../../harness/notifications';
import { useTestServices } from '../support/useTestServices';

const PREFIX = 'asit-lifecycle';
const services = useTestServices(PREFIX);

describe('the alertscale process', () => {
  test('when a variable is invalid, then it exits 1 naming the variable', async () => {
    const { code, output } = await runAlertscaleExpectingExit({ WEBHOOK_TOKEN: 'x', DEDUP_WINDOW: 'half a minute', MAX_REPLICAS_CEILING: '-3' });
    expect(code).toBe(1);
    expect(output).toMatch(/DEDUP_WINDOW: not a Prometheus duration .*, got "half a minute"/);
    expect(output).toMatch(/MAX_REPLICAS_CEILING/);
  });

  test('when no token is configured and auth is not explicitly off, then it refuses to start', async () => {
    const { code, output } = await runAlertscaleExpectingExit({});
    expect(code).toBe(1);
    expect(output).toMatch(/WEBHOOK_TOKEN or WEBHOOK_TOKEN_FILE is required/);
  });

  test('when the token comes from WEBHOOK_TOKEN_FILE that does not exist, then it names the file', async () => {
    const { code, output } = await runAlertscaleExpectingExit({ WEBHOOK_TOKEN_FILE: '/nonexistent/token' });
    expect(code).toBe(1);
    expect(output).toMatch(/WEBHOOK_TOKEN_FILE: cannot read \/nonexistent\/token/);
  });

  test('when the port is taken, then it says so, never claims to listen, and exits 1', async () => {
    const port = await findFreePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const { code, output } = await runAlertscaleExpectingExit({ WEBHOOK_TOKEN: 'x', PORT: String(port) });
      expect(code).toBe(1);
      expect(output).toMatch(new RegExp(`cannot listen on :${port}: EADDRINUSE \\(another process already listens there`));
      expect(output).not.toMatch(/listening/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  test('when HOST is 127.0.0.1, then it listens on loopback only', async () => {
    const instance = await startAlertscale({ WEBHOOK_TOKEN: 'x', HOST: '127.0.0.1' });
    try {
      expect(instance.output()).toMatch(/alertscale listening on 127\.0\.0\.1:\d+/);
      expect((await fetch(`${instance.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await instance.stop()).toBe(0);
    }
  });

  test('when SIGTERM arrives with a notification in flight, then it finishes the decision and exits 0', async () => {
    const name = await services.create({ labels: { 'alertscale.enabled': 'true', 'alertscale.max': '3', 'alertscale.cooldown.up': '0s' } });
    const instance = await startAlertscale({ WEBHOOK_TOKEN: 't0ken' });
    const inFlight = fetch(`${instance.url}/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer t0ken' },
      body: JSON.stringify(fixtureFor('firing-one-alert', name)),
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const exitCode = instance.stop();
    expect((await inFlight).status).toBe(202);
    expect(await exitCode).toBe(0);
    expect((await inspectService(name)).replicas).toBe(2);
    expect(instance.output()).toMatch(/"event":"stopped"/);
  });
});
