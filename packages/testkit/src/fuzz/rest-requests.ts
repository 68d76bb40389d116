import type { Random } from '../chaos/random.js';
import { deepJson, encode, hostileMessages } from './frames.js';
import { CHANNEL_NAMES, hostileValue, isDeep } from './hostile-values.js';

/** One structured REST request, authenticated, so it gets past auth into the handlers. */
export interface RestFuzzRequest {
  kind: 'rest-body' | 'rest-query';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  what: string;
}

const QUERY_PARAMS = [
  'limit',
  'direction',
  'start',
  'end',
  'untilAttach',
  'from_serial',
  'cursor',
  'clientId',
  'connectionId',
  'prefix',
  'by',
  'unit',
  'channels',
  'format',
  'envelope',
  'deviceId',
  'channel',
  'recipient',
  'filter',
] as const;

/** A query value: mostly short and wrong, now and then long. */
function queryValue(random: Random): string {
  const v = hostileValue(random);
  const text =
    typeof v === 'string' ? v : isDeep(v) ? deepJson(v) : (JSON.stringify(v) ?? String(v));
  return (text ?? 'null').slice(0, random.next() < 0.9 ? 200 : 20_000);
}

/** Percent-encodes anything, lone surrogates included (as their UTF-8 replacement bytes). */
function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

const channelSegment = (random: Random): string =>
  encodeSegment(
    random.next() < 0.6 ? random.pick(['fuzz:a', 'fuzz:b']) : random.pick(CHANNEL_NAMES),
  );

/** A query string of hostile values for known parameters, sometimes repeated. */
function hostileQuery(random: Random): string {
  const params = new URLSearchParams();
  for (let i = random.int(1, 5); i > 0; i--)
    params.append(random.pick(QUERY_PARAMS), queryValue(random));
  return params.toString();
}

/** Generates authenticated REST requests with hostile bodies or query strings. */
export function createRestFuzzer(random: Random, key: string): { next(): RestFuzzRequest } {
  const keyName = key.slice(0, key.indexOf(':'));
  const auth = `Basic ${Buffer.from(key).toString('base64')}`;
  const withBody = (
    method: string,
    path: string,
    value: unknown,
    what: string,
  ): RestFuzzRequest => {
    const msgpack = random.next() < 0.4;
    return {
      kind: 'rest-body',
      method,
      path,
      headers: {
        authorization: auth,
        'content-type': msgpack ? 'application/x-msgpack' : 'application/json',
        ...(random.next() < 0.3 ? { accept: 'application/x-msgpack' } : {}),
      },
      body: encode(value, msgpack ? 'msgpack' : 'json'),
      what: `${method} ${path.replace(/\?.*/, '')} ${what} (${msgpack ? 'msgpack' : 'json'})`,
    };
  };
  const query = (path: string): RestFuzzRequest => ({
    kind: 'rest-query',
    method: 'GET',
    path: `${path}?${hostileQuery(random)}`,
    headers: { authorization: auth },
    what: `GET ${path}`,
  });
  return {
    next() {
      const ch = channelSegment(random);
      switch (random.int(0, 13)) {
        case 0:
        case 1:
        case 2:
          return withBody('POST', `/channels/${ch}/messages`, hostileMessages(random), 'messages');
        case 3:
          return withBody(
            'POST',
            '/messages',
            random.pick([
              () => ({ channels: [ch, hostileValue(random)], messages: hostileMessages(random) }),
              () => [{ channels: hostileValue(random), messages: { data: 'x' } }],
              () => ({ channels: 'fuzz:a', messages: hostileMessages(random) }),
            ])(),
            'batch',
          );
        case 4:
          return withBody(
            'POST',
            `/keys/${encodeURIComponent(keyName)}/requestToken`,
            {
              keyName: random.next() < 0.5 ? keyName : hostileValue(random),
              ttl: hostileValue(random),
              capability: random.pick(['{"*":["*"]}', '{"x":', hostileValue(random)]),
              clientId: hostileValue(random),
              timestamp: random.next() < 0.5 ? Date.now() : hostileValue(random),
              nonce: hostileValue(random),
            },
            'token request',
          );
        case 5:
          return withBody(
            'PATCH',
            `/channels/${ch}/messages/${encodeSegment(String(hostileValue(random)).slice(0, 100))}`,
            random.pick([
              () => ({ data: 'x', action: 1 }),
              () => hostileMessages(random),
              () => hostileValue(random),
            ])(),
            'message update',
          );
        case 6:
          return withBody(
            'POST',
            '/stats',
            [{ intervalId: hostileValue(random), inbound: hostileValue(random) }],
            'stats',
          );
        case 7:
          return withBody(
            'POST',
            '/push/deviceRegistrations',
            {
              id: hostileValue(random),
              platform: hostileValue(random),
              push: hostileValue(random),
            },
            'device',
          );
        case 8:
          return query(`/channels/${ch}/messages`);
        case 9:
          return query(`/channels/${ch}/presence`);
        case 10:
          return query(`/channels/${ch}/presence/history`);
        case 11:
          return query(random.pick(['/stats', '/channels', '/presence', '/push/channels']));
        case 12:
          return query(`/channels/${ch}`);
        default:
          return query(
            `/channels/${ch}/messages/${encodeSegment(String(hostileValue(random)).slice(0, 100))}/versions`,
          );
      }
    },
  };
}
