/** RFC 3339 in UTC to the second, as reasons show it: 2026-11-28T12:04:31Z. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
