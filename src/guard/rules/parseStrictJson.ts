/**
 * JSON as the guard compares it: numbers keep their source text (Docker's Go
 * decoder reads 64-bit integers that a JS number would round), objects are Maps
 * (no prototype keys), and anything two parsers could read differently is
 * refused instead of guessed: duplicate keys, trailing data, invalid UTF-8.
 */
export class JsonNumber {
  constructor(readonly text: string) {}
}
export type Json = null | boolean | string | JsonNumber | Json[] | Map<string, Json>;

export type StrictJsonResult = { ok: true; value: Json } | { ok: false; reason: string };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// JSON forbids raw control characters (U+0000..U+001F) inside strings: matching them is the point.
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WHITESPACE = /[ \t\n\r]*/y;
const MAX_DEPTH = 64;

class JsonSyntaxError extends Error {}

function parseText(text: string): Json {
  let at = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at offset ${at}`);
  };
  const skipWhitespace = () => {
    WHITESPACE.lastIndex = at;
    WHITESPACE.exec(text);
    at = WHITESPACE.lastIndex;
  };
  const token = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) return undefined;
    at = pattern.lastIndex;
    return match[0];
  };
  const readString = (): string => JSON.parse(token(STRING) ?? fail('invalid string')) as string;
  const readLiteral = <T extends Json>(word: string, value: T): T => {
    if (!text.startsWith(word, at)) fail('unexpected token');
    at += word.length;
    return value;
  };

  function readValue(depth: number): Json {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipWhitespace();
    const char = text[at];
    if (char === '{') return readObject(depth);
    if (char === '[') return readArray(depth);
    if (char === '"') return readString();
    if (char === 't') return readLiteral('true', true);
    if (char === 'f') return readLiteral('false', false);
    if (char === 'n') return readLiteral('null', null);
    const number = token(NUMBER);
    return number === undefined ? fail('unexpected token') : new JsonNumber(number);
  }

  function readObject(depth: number): Map<string, Json> {
    const object = new Map<string, Json>();
    at += 1;
    skipWhitespace();
    if (text[at] === '}') {
      at += 1;
      return object;
    }
    for (;;) {
      skipWhitespace();
      if (text[at] !== '"') fail('expected a key');
      const key = readString();
      if (object.has(key)) fail(`duplicate key "${key}"`);
      skipWhitespace();
      if (text[at] !== ':') fail('expected ":"');
      at += 1;
      object.set(key, readValue(depth + 1));
      skipWhitespace();
      if (text[at] === '}') {
        at += 1;
        return object;
      }
      if (text[at] !== ',') fail('expected "," or "}"');
      at += 1;
    }
  }

  function readArray(depth: number): Json[] {
    const array: Json[] = [];
    at += 1;
    skipWhitespace();
    if (text[at] === ']') {
      at += 1;
      return array;
    }
    for (;;) {
      array.push(readValue(depth + 1));
      skipWhitespace();
      if (text[at] === ']') {
        at += 1;
        return array;
      }
      if (text[at] !== ',') fail('expected "," or "]"');
      at += 1;
    }
  }

  const value = readValue(0);
  skipWhitespace();
  if (at !== text.length) fail('data after the JSON value');
  return value;
}

/** Parses UTF-8 bytes as one JSON value, refusing every ambiguity. */
export function parseStrictJson(bytes: Uint8Array): StrictJsonResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'body is not valid UTF-8' };
  }
  try {
    return { ok: true, value: parseText(text) };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, reason: `body is not strict JSON: ${error.message}` };
    throw error;
  }
}
