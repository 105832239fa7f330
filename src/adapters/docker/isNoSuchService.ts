interface DockerModemError {
  statusCode?: number;
  message?: string;
  json?: { message?: string } | null;
}

/** Docker's answer when a name is no service's name but the ID prefix of several (HTTP 400). */
const AMBIGUOUS = /is ambiguous \(\d+ matches found\)/i;

/**
 * True when Docker's answer to an inspect means "no service by that name": 404, or the
 * 400 Docker gives when the name is the ID prefix of several services. Docker resolves
 * a name before an ID prefix, so an ambiguous answer proves no service has that name.
 */
export function isNoSuchService(error: unknown): boolean {
  const failure = error as DockerModemError;
  if (failure?.statusCode === 404) return true;
  const message = failure?.json?.message ?? failure?.message ?? '';
  return failure?.statusCode === 400 && AMBIGUOUS.test(message);
}
