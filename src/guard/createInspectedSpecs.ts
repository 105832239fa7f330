import type { IncomingMessage } from 'node:http';
import type { CurrentService } from './rules/judgeDockerRequest';
import { readCurrentService } from './rules/readCurrentService';

const INSPECT_PATH = /^(\/v\d{1,2}\.\d{1,3})?\/services\/[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const MAX_ENTRIES = 512;
const MAX_AGE_MS = 60_000;
const MAX_BYTES = 1024 * 1024;

/**
 * Service specs the guard itself received from Docker on the inspects it
 * proxied, keyed by service ID and version. Swarm gives every state of a
 * service a new version index, so the spec at (ID, version) never changes: an
 * update for that version is compared against exactly the spec Docker will
 * replace, and Docker applies it only while the service is still at that
 * version (docs/adr/0004). It saves the guard a second inspect per scale.
 */
export function createInspectedSpecs() {
  const entries = new Map<string, { service: CurrentService; at: number }>();
  const keyOf = (prefix: string, id: string, version: string) => `${prefix}/services/${id}@${BigInt(version)}`;

  return {
    /** Reads a proxied 200 answer to GET [/vX.Y]/services/{ref} alongside the client. */
    remember(url: string, answer: IncomingMessage): void {
      const path = INSPECT_PATH.exec(url);
      if (!path) return;
      const chunks: Buffer[] = [];
      let size = 0;
      answer.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BYTES) chunks.push(chunk);
      });
      answer.on('end', () => {
        if (size > MAX_BYTES) return;
        const service = readCurrentService(Buffer.concat(chunks));
        if (!service?.id) return;
        if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
        entries.set(keyOf(path[1] ?? '', service.id, service.version), { service, at: Date.now() });
      });
    },

    /** The spec at exactly this version, for an update of `path` ([/vX.Y]/services/{id}), if the guard read it lately. */
    recall(path: string, version: string): CurrentService | undefined {
      const entry = entries.get(`${path}@${BigInt(version)}`);
      if (!entry || Date.now() - entry.at > MAX_AGE_MS) return undefined;
      return entry.service;
    },
  };
}
