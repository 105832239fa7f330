import net from 'node:net';

export interface RawResponse {
  /** HTTP status, or what happened instead of a response. */
  status: number | 'no_response' | 'reset';
  headers: string;
  body: string;
}

/**
 * Sends exactly these bytes to 127.0.0.1:port (request line, headers, body as
 * given: no client-side validation, so malformed headers and lying
 * Content-Length reach the server) and reads the answer until the server closes.
 */
export function rawRequest(port: number, head: string, body: Buffer = Buffer.alloc(0), timeoutMs = 3000): Promise<RawResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect(port, '127.0.0.1');
    const finish = (failure?: 'reset') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      if (match) resolve({ status: Number(match[1]), headers: split >= 0 ? text.slice(0, split) : text, body: split >= 0 ? text.slice(split + 4) : '' });
      else resolve({ status: failure ?? 'no_response', headers: '', body: text });
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // A server that answers early (413) and closes may reset our unfinished upload: the answer read so far counts.
    socket.on('error', () => finish('reset'));
    socket.on('connect', () => {
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    });
  });
}

/** Request head with CRLFs; `Connection: close` so the server ends the exchange. */
export function requestHead(method: string, path: string, headers: Array<[string, string]>): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}
