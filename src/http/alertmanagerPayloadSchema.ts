import { z } from 'zod';

const labelSet = z.record(z.string(), z.string());
const alertStatus = z.enum(['firing', 'resolved']);

/** The statuses an alert (and a notification) can have. */
export const ALERT_STATUSES = alertStatus.options;

/** More alerts than this in one notification is not Alertmanager. */
export const MAX_ALERTS_PER_NOTIFICATION = 10_000;

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
    .max(MAX_ALERTS_PER_NOTIFICATION),
});

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;
