/** The parts of an Alertmanager webhook notification (version 4) that alertscale reads. */
export interface NotifiedAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  fingerprint: string;
}

export interface AlertNotification {
  receiver: string;
  status: 'firing' | 'resolved';
  groupKey: string;
  truncatedAlerts: number;
  alerts: NotifiedAlert[];
}
