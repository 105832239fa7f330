import fs from 'node:fs';
import path from 'node:path';
import { OwnedProcess } from './ownedProcess';
import { waitFor } from './polling';
import { repoPath } from './repoRoot';

export const HAPROXY_BIN = '/usr/sbin/haproxy';

export interface LoopbackEdge {
  /** The edge's front door, http://127.0.0.1:<port>. */
  url: string;
  /** HAProxy's Prometheus exporter, host:port. */
  metricsTarget: string;
  process: OwnedProcess;
}

/**
 * The shipped deploy/haproxy/haproxy.cfg made loopback-only: DNS discovery of
 * tasks.<service> (and its resolvers) is replaced with one fixed server per
 * task slot, and the binds move to 127.0.0.1. Everything else (health checks,
 * retries, timeouts, exporter) stays as shipped. Throws when a marker is gone.
 */
export function loopbackEdgeConfig(shipped: string, ports: { listen: number; metrics: number; slots: number[] }): string {
  const replace = (text: string, pattern: RegExp, by: string, what: string): string => {
    if (!pattern.test(text)) throw new Error(`deploy/haproxy/haproxy.cfg has no ${what} to replace for the loopback edge`);
    return text.replace(pattern, by);
  };
  let text = replace(shipped, /# resolvers: begin\n[\s\S]*?# resolvers: end\n/, '', 'resolvers block');
  const servers = ports.slots.map((port, i) => `  server slot${i + 1} 127.0.0.1:${port}`).join('\n');
  text = replace(text, / {2}# servers: begin\n[\s\S]*? {2}# servers: end\n/, `${servers}\n`, 'servers block');
  text = replace(text, /bind :8080\n/, `bind 127.0.0.1:${ports.listen}\n`, 'api bind');
  return replace(text, /bind :8404\n/, `bind 127.0.0.1:${ports.metrics}\n`, 'metrics bind');
}

/** Runs Debian's HAProxy in the foreground with the loopback variant of the shipped config. */
export async function startLoopbackEdge(dir: string, ports: { listen: number; metrics: number; slots: number[] }): Promise<LoopbackEdge> {
  const file = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(file, loopbackEdgeConfig(fs.readFileSync(repoPath('deploy', 'haproxy', 'haproxy.cfg'), 'utf8'), ports));
  const edge = new OwnedProcess('haproxy', HAPROXY_BIN, ['-db', '-f', file]);
  const metricsTarget = `127.0.0.1:${ports.metrics}`;
  try {
    await waitFor(
      `HAProxy's exporter on ${metricsTarget}`,
      async () => {
        if (!edge.running) throw new Error(`haproxy exited\n${edge.output}`);
        return (await fetch(`http://${metricsTarget}/healthz`)).ok;
      },
      15_000,
      100,
    );
  } catch (error) {
    await edge.stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${ports.listen}`, metricsTarget, process: edge };
}

/** Servers of a backend that HAProxy's checks currently see UP (from its exporter). */
export async function serversUp(edge: LoopbackEdge, backend = 'api'): Promise<number> {
  const text = await (await fetch(`http://${edge.metricsTarget}/metrics`)).text();
  const pattern = new RegExp(`^haproxy_server_status\\{proxy="${backend}",server="[^"]+",state="UP"\\} 1$`, 'gm');
  return [...text.matchAll(pattern)].length;
}
