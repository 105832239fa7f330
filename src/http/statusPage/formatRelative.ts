/** "in 42 s", "3 min ago", "now": what an operator reads faster than a timestamp. */
export function formatRelative(atMs: number, nowMs: number): string {
  const deltaS = Math.round((atMs - nowMs) / 1000);
  if (Math.abs(deltaS) < 1) return 'now';
  const size = Math.abs(deltaS);
  const amount = size < 90 ? `${size} s` : size < 5400 ? `${Math.round(size / 60)} min` : size < 172_800 ? `${Math.round(size / 3600)} h` : `${Math.round(size / 86_400)} d`;
  return deltaS > 0 ? `in ${amount}` : `${amount} ago`;
}
