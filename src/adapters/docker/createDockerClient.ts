import Docker from 'dockerode';

/** A dockerode client for DOCKER_HOST (unix:// socket or tcp:// endpoint such as a socket proxy). */
export function createDockerClient(dockerHost: string | undefined, timeoutMs = 10_000): Docker {
  if (!dockerHost) return new Docker({ socketPath: '/var/run/docker.sock', timeout: timeoutMs });
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname, timeout: timeoutMs });
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return new Docker({ host: url.hostname, port: Number(url.port || (protocol === 'https' ? 2376 : 2375)), protocol, timeout: timeoutMs });
}
