import { TransientError, VersionConflictError } from '../../../src/app/errors';
import { isNoSuchService } from '../../../src/adapters/docker/isNoSuchService';
import { toServiceState, type DockerServiceInfo } from '../../../src/adapters/docker/toServiceState';
import { translateDockerError } from '../../../src/adapters/docker/translateDockerError';

const base: DockerServiceInfo = { ID: 'abc123', Version: { Index: 7 }, UpdatedAt: '2026-12-01T09:00:00Z', Spec: { Name: 'shop_api', Labels: { a: 'b' } } };

describe('toServiceState', () => {
  test.each([
    // A replicated service counts the replicas its spec asks for, whatever runs right now.
    ['replicated', { Replicated: { Replicas: 3 } }, { RunningTasks: 1 }, 3],
    // A replicated spec without a count (Docker's default) is 0 until Docker fills it in.
    ['replicated', { Replicated: {} }, undefined, 0],
    // A global service has no replica count: its running tasks stand in.
    ['global', { Global: {} }, { RunningTasks: 4 }, 4],
    // A global service Docker gave no status for reads 0 rather than a guess.
    ['global', { Global: {} }, undefined, 0],
    // Jobs count running tasks too.
    ['replicated-job', { ReplicatedJob: {} }, { RunningTasks: 2 }, 2],
    ['global-job', { GlobalJob: {} }, { RunningTasks: 1 }, 1],
  ])('when the mode is %s (%j, status %j), then replicas is %d', (mode, specMode, status, replicas) => {
    const state = toServiceState({ ...base, Spec: { ...base.Spec, Mode: specMode }, ...(status ? { ServiceStatus: status } : {}) });
    expect(state).toMatchObject({ id: 'abc123', name: 'shop_api', version: 7, mode, replicas, labels: { a: 'b' } });
  });

  test('when running tasks are passed explicitly (inspect has no status), then they win over the answer', () => {
    expect(toServiceState({ ...base, Spec: { ...base.Spec, Mode: { Global: {} } } }, 5).replicas).toBe(5);
  });

  test('when a rollout ran, then its state is kept; when none did, then there is no updateState', () => {
    expect(toServiceState({ ...base, UpdateStatus: { State: 'paused' } }).updateState).toBe('paused');
    expect(toServiceState(base)).not.toHaveProperty('updateState');
  });
});

describe('isNoSuchService', () => {
  test.each([
    // Docker's plain "no such service".
    [{ statusCode: 404, json: { message: 'service x not found' } }, true],
    // No service has the name and several IDs start with it: still no service by that name.
    [{ statusCode: 400, json: { message: 'service 3 is ambiguous (2 matches found)' } }, true],
    // Another 400 is a real refusal, not an absence.
    [{ statusCode: 400, json: { message: 'invalid filter' } }, false],
    // Docker unreachable is not an answer about the service.
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED /var/run/docker.sock' }, false],
    [undefined, false],
  ])('when Docker fails with %j, then %s', (error, expected) => {
    expect(isNoSuchService(error)).toBe(expected);
  });
});

describe('translateDockerError', () => {
  test.each([
    // A stale version on update: decide again.
    [{ statusCode: 500, json: { message: 'rpc error: update out of sequence' } }, 'update', VersionConflictError],
    // The service vanished between inspect and update: decide again (it will be not_found).
    [{ statusCode: 404, json: { message: 'service x not found' } }, 'update', VersionConflictError],
    // Docker down or a 5xx: retry.
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'inspect', TransientError],
    [{ statusCode: 503, json: { message: 'node is not part of a swarm' } }, 'list', TransientError],
  ])('when Docker fails with %j on %s, then %p', (error, operation, kind) => {
    expect(translateDockerError(error, operation, 'shop_api')).toBeInstanceOf(kind);
  });

  test("when Docker refuses with a 4xx, then a permanent error names the operation, the service and Docker's message", () => {
    const translated = translateDockerError({ statusCode: 400, json: { message: 'invalid spec ' } }, 'update', 'shop_api');
    expect(translated).not.toBeInstanceOf(TransientError);
    expect(translated.message).toBe('Docker refused update of shop_api (HTTP 400): invalid spec');
  });
});
