/** Quorum queues count earlier deliveries in `x-delivery-count` (absent or 0 on the first). */
export function earlierDeliveries(headers: Record<string, unknown> | undefined): number {
  const raw = headers?.['x-delivery-count'];
  const count = typeof raw === 'number' ? raw : Number(raw ?? 0);
  return Number.isFinite(count) ? count : 0;
}
