import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type winston from 'winston';
import type { Address } from './loadGuardConfig';
import type { GuardMetrics } from './createGuardMetrics';
import { judgeDockerRequest, type CurrentService, type GuardLimits, type GuardedRequest } from './rules/judgeDockerRequest';
import { readCurrentService } from './rules/readCurrentService';
import { createInspectedSpecs } from './createInspectedSpecs';

export interface GuardServerOptions {
  limits: GuardLimits;
  docker: Address;
  upstreamTimeoutMs: number;
  logger: winston.Logger;
  metrics: GuardMetrics;
}

/** Request headers passed on to Docker; everything else stays at the guard. */
const FORWARDED_HEADERS = ['content-type', 'content-length', 'user-agent', 'accept'];
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

class DockerUnreachable extends Error {}

function answerJson(response: ServerResponse, status: number, body: Record<string, unknown>, close = false): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}) });
  response.end(text);
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) request.destroy(new Error('body over limit'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * The guard's HTTP server (Node's own http): asks judgeDockerRequest about
 * every call, reads what the rules need (the body, the service's current spec),
 * forwards what they allow to the Docker socket byte for byte, and answers 403
 * with the rule for the rest. Decides nothing itself.
 */
export function createGuardServer(options: GuardServerOptions): http.Server {
  const { limits, logger, metrics } = options;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const inspected = createInspectedSpecs();

  function dockerRequest(method: string, path: string, headers: http.OutgoingHttpHeaders): http.ClientRequest {
    return http.request({ ...options.docker, agent, method, path, headers: { ...headers, host: 'docker' }, timeout: options.upstreamTimeoutMs });
  }

  function inspect(path: string): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = dockerRequest('GET', path, {});
      upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
      upstream.on('error', (error) => reject(new DockerUnreachable(error.message)));
      upstream.on('response', (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, body: Buffer.concat(chunks) }));
        answer.on('error', (error) => reject(new DockerUnreachable(error.message)));
      });
      upstream.end();
    });
  }

  function forward(request: IncomingMessage, response: ServerResponse, body: Uint8Array | undefined): Promise<void> {
    const headers: http.OutgoingHttpHeaders = {};
    for (const name of FORWARDED_HEADERS) if (request.headers[name] !== undefined) headers[name] = request.headers[name];
    return new Promise((resolve, reject) => {
      const upstream = dockerRequest(request.method ?? 'GET', request.url ?? '/', headers);
      upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
      upstream.on('error', (error) => reject(new DockerUnreachable(error.message)));
      upstream.on('response', (answer) => {
        const passed: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) passed[name] = value;
        response.writeHead(answer.statusCode ?? 502, passed);
        answer.pipe(response);
        if (answer.statusCode === 200 && request.method === 'GET') inspected.remember(request.url ?? '', answer);
        answer.on('end', () => resolve());
        answer.on('error', () => {
          response.destroy();
          resolve();
        });
      });
      upstream.end(body);
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const guarded: GuardedRequest = { method: request.method ?? '', url: request.url ?? '', headers: request.headers };
    let current: CurrentService | undefined;
    let outcome = 'forwarded';
    try {
      for (;;) {
        const verdict = judgeDockerRequest(guarded, limits, current);
        if (verdict.verdict === 'refuse') {
          outcome = 'refused';
          metrics.refusals.inc({ rule: verdict.rule });
          logger.warn(`refused ${guarded.method} ${guarded.url.slice(0, 200)}: ${verdict.reason}`, {
            event: 'refused',
            rule: verdict.rule,
            method: guarded.method,
            url: guarded.url.slice(0, 200),
            peer: request.socket.remoteAddress,
          });
          // Close rather than read a body the guard will never use.
          answerJson(response, 403, { message: `refused by alertscale's Docker API guard (rule ${verdict.rule}): ${verdict.reason}`, rule: verdict.rule }, true);
          return;
        }
        if (verdict.verdict === 'read_body') {
          guarded.body = await readBody(request, limits.bodyLimitBytes);
        } else if (verdict.verdict === 'inspect') {
          current = inspected.recall(verdict.path, verdict.version);
          if (current) continue;
          const answer = await inspect(verdict.path);
          if (answer.status !== 200) {
            // Docker's own answer about the service (404 no such service...), as if the update had asked.
            outcome = 'forwarded';
            response.writeHead(answer.status, { 'content-type': 'application/json' });
            response.end(answer.body);
            return;
          }
          current = readCurrentService(answer.body);
          if (!current) throw new DockerUnreachable('the service inspect answer was not a service');
        } else if (verdict.verdict === 'stale') {
          outcome = 'stale';
          // What Docker itself answers a stale version with: alertscale reads it as a version conflict and decides again.
          answerJson(response, 500, { message: `rpc error: code = Unknown desc = update out of sequence (version ${verdict.requested}, current ${verdict.current})` });
          return;
        } else {
          await forward(request, response, guarded.body);
          return;
        }
      }
    } catch (error) {
      if (!(error instanceof DockerUnreachable)) {
        // The client went away mid-body: nothing was forwarded.
        outcome = 'client_aborted';
        response.destroy();
        return;
      }
      outcome = 'docker_unreachable';
      logger.error(`Docker API unreachable for ${guarded.method} ${guarded.url.slice(0, 200)}: ${error.message}`, { event: 'docker_unreachable' });
      if (!response.headersSent) answerJson(response, 502, { message: `alertscale's Docker API guard could not reach Docker: ${error.message}` });
      else response.destroy();
    } finally {
      metrics.requests.inc({ outcome });
      metrics.duration.observe((performance.now() - started) / 1000);
    }
  }

  const serve = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch(() => response.destroy());
  };
  const server = http.createServer(serve);
  // Without this Node answers `100 Continue` by itself before the rules have seen the request.
  server.on('checkContinue', serve);
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.on('close', () => agent.destroy());
  return server;
}
