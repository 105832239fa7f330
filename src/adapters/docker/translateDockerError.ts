import { TransientError, VersionConflictError } from '../../app/errors';

interface DockerModemError {
  statusCode?: number;
  message?: string;
  code?: string;
  json?: { message?: string } | null;
}

/** Docker's answer to an update of a stale version: HTTP 500 with this message. */
const OUT_OF_SEQUENCE = /update out of sequence/i;

/**
 * Maps a dockerode failure to what the use case acts on: a version conflict
 * (decide again), a transient failure (retry; 5xx to Alertmanager), or a
 * permanent rejection (4xx from Docker: retrying will not help).
 */
export function translateDockerError(error: unknown, operation: string, service: string): Error {
  const failure = error as DockerModemError;
  const message = failure.json?.message ?? failure.message ?? String(error);
  if (OUT_OF_SEQUENCE.test(message)) return new VersionConflictError(service);
  if (failure.statusCode === 404 && operation === 'update') return new VersionConflictError(service);
  if (failure.statusCode !== undefined && failure.statusCode >= 400 && failure.statusCode < 500) {
    return new Error(`Docker refused ${operation} of ${service} (HTTP ${failure.statusCode}): ${message.trim()}`);
  }
  return new TransientError(`Docker ${operation} of ${service} failed: ${message.trim()}`, operation);
}
