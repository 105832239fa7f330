export interface AlertmanagerStatus {
  /** The running configuration as YAML (config.original). */
  configYaml: string;
  /** Members of its HA cluster, itself included; 1 without clustering. */
  clusterPeers: number;
}

/** Alertmanager's own view of itself (API v2 GET /api/v2/status). */
export async function fetchAlertmanagerStatus(baseUrl: string, timeoutMs = 2000): Promise<AlertmanagerStatus> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v2/status`;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch((error: Error & { cause?: { code?: string; message?: string } }) => {
    throw new Error(`cannot reach ${url}: ${error.cause?.code ?? error.cause?.message ?? error.message}`);
  });
  if (!response.ok) throw new Error(`GET ${url} answered HTTP ${response.status}`);
  const status = (await response.json()) as { config?: { original?: unknown }; cluster?: { peers?: unknown } };
  if (typeof status.config?.original !== 'string') throw new Error(`GET ${url} has no config.original: is this an Alertmanager (0.20 or later)?`);
  const peers = Array.isArray(status.cluster?.peers) ? status.cluster.peers.length : 0;
  return { configYaml: status.config.original, clusterPeers: Math.max(1, peers) };
}
