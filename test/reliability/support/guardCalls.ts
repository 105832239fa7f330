import { rawRequest, requestHead, type RawResponse } from './rawHttp';

export interface GuardCall {
  method: string;
  path: string;
  body?: string | Buffer;
  headers?: Array<[string, string]>;
  /** Send the body chunked (Transfer-Encoding) instead of sized. */
  chunked?: boolean;
}

/** One raw HTTP exchange with the guard: the path and body reach it byte for byte, as an attacker would send them. */
export function callGuard(port: number, call: GuardCall): Promise<RawResponse> {
  const body = call.body === undefined ? Buffer.alloc(0) : Buffer.from(call.body);
  const headers: Array<[string, string]> = [...(call.headers ?? [])];
  if (call.body !== undefined && !headers.some(([name]) => name.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/json']);
  if (call.chunked) {
    headers.push(['Transfer-Encoding', 'chunked']);
    const framed = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    return rawRequest(port, requestHead(call.method, call.path, headers), framed);
  }
  if (call.body !== undefined) headers.push(['Content-Length', String(body.length)]);
  return rawRequest(port, requestHead(call.method, call.path, headers), body);
}

/** The rule named in a guard's 403 answer, or undefined. */
export function refusedRule(response: RawResponse): string | undefined {
  if (response.status !== 403) return undefined;
  try {
    return (JSON.parse(response.body) as { rule?: string }).rule;
  } catch {
    return undefined;
  }
}
