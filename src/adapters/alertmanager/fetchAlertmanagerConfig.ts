/** Alertmanager's running config as YAML (API v2 GET /api/v2/status → config.original). */
export async function fetchAlertmanagerConfig(baseUrl: string, timeoutMs = 2000): Promise<string> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v2/status`;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch((error: Error & { cause?: { code?: string; message?: string } }) => {
    throw new Error(`cannot reach ${url}: ${error.cause?.code ?? error.cause?.message ?? error.message}`);
  });
  if (!response.ok) throw new Error(`GET ${url} answered HTTP ${response.status}`);
  const status = (await response.json()) as { config?: { original?: unknown } };
  if (typeof status.config?.original !== 'string') throw new Error(`GET ${url} has no config.original: is this an Alertmanager (0.20 or later)?`);
  return status.config.original;
}
