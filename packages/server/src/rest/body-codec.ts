import { Errors, encodeJsonBody, type ErrorInfo } from '@switchboard/protocol';
import { decodeMsgpack, encodeMsgpack } from '@switchboard/protocol/msgpack';
import type { RestRequest, RestResponse } from './http.js';

const MSGPACK = 'application/x-msgpack';
const JSON_TYPE = 'application/json';

/** Whether the client asked for msgpack (`Accept`); ably-js decodes by its own setting (§8.2). */
export function wantsMsgpack(req: RestRequest): boolean {
  return (req.headers.accept ?? '').includes(MSGPACK);
}

/** Decodes a request body by Content-Type (JSON default); throws 40000 when malformed. */
export function decodeBody(req: RestRequest): unknown {
  if (req.body.length === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  try {
    if (type.includes(MSGPACK)) return decodeMsgpack(req.body);
    if (type.includes('application/x-www-form-urlencoded')) {
      return Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
    }
    return JSON.parse(req.body.toString('utf8'));
  } catch {
    throw Errors.badRequest('Malformed request body');
  }
}

/** Encodes a success body per Accept, with exactly the content type the client parses. */
export function respond(
  req: RestRequest,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): RestResponse {
  if (body === undefined) return { status, headers, body: Buffer.alloc(0) };
  const msgpack = wantsMsgpack(req);
  return {
    status,
    headers: { 'content-type': msgpack ? MSGPACK : JSON_TYPE, ...headers },
    body: msgpack ? encodeMsgpack(body) : Buffer.from(encodeJsonBody(body)),
  };
}

/**
 * The text with each lone UTF-16 surrogate replaced by U+FFFD: messages quote client input, and
 * encodeURIComponent throws on a lone surrogate (found by `npm run fuzz`: a 500 for a bad ttl).
 */
function wellFormed(text: string): string {
  return text.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
}

/**
 * The error response ably-js understands: exact content type, body and x-ably-* headers. `extra`
 * adds fields beside `error` (a 429's `nextAllowedAt`) and `headers` more headers (`retry-after`).
 */
export function respondError(
  req: RestRequest,
  error: ErrorInfo,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): RestResponse {
  return respond(
    req,
    error.statusCode,
    { ...extra, error: error.toJSON() },
    {
      ...headers,
      'x-ably-errorcode': String(error.code),
      'x-ably-errormessage': encodeURIComponent(wellFormed(error.message)).replace(/%20/g, ' '),
    },
  );
}
