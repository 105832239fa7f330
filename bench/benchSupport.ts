import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import Docker from 'dockerode';
import winston from 'winston';
import { composeAlertscale } from '../src/composeAlertscale';
import { loadConfig } from '../src/config/loadConfig';
import { percentile } from './percentile';

export const BENCH_TOKEN = 'bench-token';
export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

/** Serves an app on a free loopback port. */
export async function listenOnLoopback(app: Express): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
  });
}

/** alertscale wired exactly as main.ts wires it, logging only errors so logging does not dominate. */
export async function startAlertscale(env: Record<string, string> = {}) {
  const config = loadConfig({ WEBHOOK_TOKEN: BENCH_TOKEN, LOG_LEVEL: 'error', ...env });
  const logger = winston.createLogger({ level: 'error', transports: [new winston.transports.Console()] });
  const alertscale = await composeAlertscale(config, { logger });
  return { ...alertscale, ...(await listenOnLoopback(alertscale.app)) };
}

/** A sleeping busybox service on the host network, opted in with no cooldowns. */
export async function createBenchService(name: string, labels: Record<string, string> = {}): Promise<void> {
  await docker.createService({
    Name: name,
    Labels: { 'alertscale.enabled': 'true', 'alertscale.max': '3', 'alertscale.min': '1', 'alertscale.cooldown.up': '0s', 'alertscale.cooldown.down': '0s', ...labels },
    TaskTemplate: {
      ContainerSpec: { Image: 'alertscale-test/busybox:latest', Command: ['sleep', '3600'] },
      Networks: [{ Target: 'host' }],
    },
    Mode: { Replicated: { Replicas: 1 } },
  } as Docker.CreateServiceOptions);
}

export function summarize(samplesMs: number[]): { p50: number; p99: number; n: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

export function machine(): string {
  const os = require('node:os') as typeof import('node:os');
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** The recorded one-alert notification (test/fixtures), aimed at `service`. */
export function notificationFor(service: string, action: 'up' | 'down', startsAt: string): Record<string, unknown> {
  return {
    receiver: 'scaler',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'BenchAlert', scale_action: action, scale_service: service },
        annotations: {},
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: action === 'up' ? 'b0000000000000a1' : 'b0000000000000a2',
      },
    ],
    groupLabels: { scale_action: action, scale_service: service },
    commonLabels: { scale_action: action, scale_service: service },
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    version: '4',
    groupKey: `{}:{scale_action="${action}", scale_service="${service}"}`,
    truncatedAlerts: 0,
  };
}
