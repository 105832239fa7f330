import { z } from 'zod';

/**
 * Where the Prometheus endpoint listens, from `METRICS_PORT`:
 * - `off` or `0`: no endpoint;
 * - `auto`: a port chosen by the OS (logged at start; for ad-hoc runs and tests);
 * - `9400`: that port;
 * - `9400+slot`: that port plus the Swarm task slot minus one (`TASK_SLOT`, set in
 *   a stack with `TASK_SLOT: "{{.Task.Slot}}"`), so replicas that share the host
 *   network get 9400, 9401, ... instead of fighting over one port.
 */
export type MetricsPortSetting = { mode: 'off' } | { mode: 'auto' } | { mode: 'fixed'; port: number } | { mode: 'slot'; base: number };

const PORT_PATTERN = /^(\d{1,5})(\+slot)?$/;

export const metricsPortSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value, ctx): MetricsPortSetting => {
    if (value === 'off' || value === '0') return { mode: 'off' };
    if (value === 'auto') return { mode: 'auto' };
    const match = PORT_PATTERN.exec(value);
    const port = match ? Number(match[1]) : NaN;
    if (!match || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: 'expected off, 0, auto, a port (1-65535) or <port>+slot' });
      return z.NEVER;
    }
    return match[2] ? { mode: 'slot', base: port } : { mode: 'fixed', port };
  });

/** The port to listen on: null for none, 0 for an OS-chosen one. */
export function resolveMetricsPort(setting: MetricsPortSetting, taskSlot: number | undefined): number | null {
  switch (setting.mode) {
    case 'off':
      return null;
    case 'auto':
      return 0;
    case 'fixed':
      return setting.port;
    case 'slot':
      if (taskSlot === undefined) throw new Error('METRICS_PORT uses +slot but TASK_SLOT is not set');
      return setting.base + taskSlot - 1;
  }
}
