import type { CurrentService } from './judgeDockerRequest';
import { JsonNumber, parseStrictJson } from './parseStrictJson';

/** Docker's GET /services/{ref} answer as the guard compares against it, or undefined when it is not one. */
export function readCurrentService(bytes: Uint8Array): CurrentService | undefined {
  const parsed = parseStrictJson(bytes);
  if (!parsed.ok || !(parsed.value instanceof Map)) return undefined;
  const version = parsed.value.get('Version');
  const index = version instanceof Map ? version.get('Index') : undefined;
  const spec = parsed.value.get('Spec');
  const id = parsed.value.get('ID');
  if (!(index instanceof JsonNumber) || !/^\d{1,15}$/.test(index.text) || !(spec instanceof Map)) return undefined;
  return { version: index.text, spec, ...(typeof id === 'string' ? { id } : {}) };
}
