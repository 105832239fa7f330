import { z } from 'zod';

const labelSet = z.record(z.string(), z.string());
const alertStatus = z.enum(['firing', 'resolved']);

/** The statuses an alert (and a notification) can have. */
export const ALERT_STATUSES = alertStatus.options;

/**
 * Alertmanager's webhook payload (version 4). Unknown fields are accepted and
 * dropped: Alertmanager adds fields over time and must not be refused for it.
 */
export const alertmanagerPayloadSchema = z.object({
  version: z.string().optional(),
  receiver: z.string().max(1024),
  status: alertStatus,
  groupKey: z.string().max(8192),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  alerts: z
    .array(
      z.object({
        status: alertStatus,
        labels: labelSet,
        annotations: labelSet.default({}),
        startsAt: z.string().max(64),
        fingerprint: z.string().max(128),
      }),
    )
    .max(10_000),
});

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;
