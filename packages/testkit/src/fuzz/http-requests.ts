// Moved from test/e2e/http-fuzz.test.ts so `npm run fuzz` sends the same requests.

/** Every short-lived route (REST, operator, comet send/close), `{}` standing for a parameter. */
export const ROUTES = [
  '/time',
  '/apps',
  '/apps/{}',
  '/keys/{}/requestToken',
  '/keys/{}/revokeTokens',
  '/channels',
  '/channels/{}',
  '/channels/{}/messages',
  '/channels/{}/messages/{}',
  '/channels/{}/messages/{}/versions',
  '/channels/{}/messages/{}/annotations',
  '/chat/v4/rooms/{}/messages',
  '/chat/v4/rooms/{}/messages/{}',
  '/chat/v4/rooms/{}/messages/{}/delete',
  '/chat/v4/rooms/{}/messages/{}/versions',
  '/chat/v4/rooms/{}/messages/{}/reactions',
  '/chat/v4/rooms/{}/messages/{}/client-reactions',
  '/chat/v4/rooms/{}/occupancy',
  '/apps/{}/keys',
  '/apps/{}/keys/{}',
  '/apps/{}/events',
  '/apps/{}/webhooks/{}/deliveries',
  '/heartbeat-config',
  '/heartbeat-config/{}',
  // Streams (/sse, comet recv) stay open by design, so only their short-lived neighbours are here.
  '/comet/{}/send',
  '/comet/{}/close',
  '/channels/{}/presence',
  '/channels/{}/presence/history',
  '/messages',
  '/presence',
  '/stats',
];

/**
 * A generator of hostile raw HTTP requests and WebSocket upgrades against every REST route:
 * bad request lines, paths, headers, auth, bodies and query strings, as bytes, so nothing on the
 * way normalises them. `rand` is a seeded source in [0, 1); `devKey` a full-access key.
 */
export function createHttpFuzzer(
  rand: () => number,
  devKey: string,
): { restRequest(): Buffer; upgradeRequest(): Buffer } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const chance = (p: number): boolean => rand() < p;
  const keyName = devKey.slice(0, devKey.indexOf(':'));
  const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');
  const randomBytes = (n: number): string =>
    Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 256))).join('');

  const segments = [
    'x',
    'chat',
    keyName,
    // Not 'dev': DELETE /apps/dev with the dev key would end the app the fuzz authenticates to.
    '%',
    '%zz',
    '%E0%A4%A',
    '%E0',
    '%C0%80',
    '%00',
    '%2F',
    '%25',
    '..',
    '.',
    '[',
    '[meta]x',
    '[?rewind=abc]x',
    '[filter=%%%]x',
    '[?delta=vcdiff]x',
    'x:y',
    '\u00e9',
    '\u00ff\u00fe',
    '*',
    '01234567@0-0',
    '@',
    'a'.repeat(300),
    '%FF%FF%FF',
    '\\',
  ];
  const absurdPaths = [
    '//',
    '///',
    '//[',
    '/%',
    '/%zz',
    '/channels/%E0/messages',
    '*',
    'http://x/time',
    'http://[/',
    '/' + 'a/'.repeat(3000),
    '/channels/' + 'x'.repeat(20000) + '/messages',
    '/time\u0000',
    '/\u0000/channels',
    '/channels//messages',
    '/keys//requestToken',
    '/apps/',
    '/time#frag',
    '?key=x',
  ];
  const queries = [
    '',
    'limit=abc',
    'limit=-1',
    'limit=1e309',
    'limit=0.5',
    'limit=' + '9'.repeat(400),
    'direction=x',
    'direction=forwards&direction=backwards',
    'start=abc&end=-5',
    'start=9999999999999999999&end=0',
    'unit=x',
    'unit=month&start=2020-99',
    'by=fortnight',
    'cursor=abc',
    'cursor=1_2_3',
    'cursor=%E0',
    'from_serial=zzz',
    'channels=',
    'channels=' + Array.from({ length: 200 }, (_, i) => `c${i}`).join(','),
    'channels=%E0%A4%A',
    'key=' + encodeURIComponent(devKey),
    'key=' + encodeURIComponent(keyName) + ':wrong',
    'key=garbage',
    'key=a.b:c&key=d.e:f',
    'access_token=garbage',
    'access_token=' + 'x'.repeat(5000),
    'format=msgpack',
    'envelope=json',
    '%=%&&=&==',
    'a=' + 'b'.repeat(8000),
  ];
  const auths = [
    undefined,
    `Basic ${b64(devKey)}`,
    `Basic ${b64(keyName + ':wrong')}`,
    `Basic ${b64('nocolon')}`,
    'Basic !!!notbase64!!!',
    `Basic ${b64(randomBytes(24))}`,
    'Basic \u00e9\u00e9\u00e9\u00e9',
    'Basic',
    'Bearer',
    'Bearer garbage',
    `Bearer ${b64('garbage.token')}`,
    `Bearer ${b64(randomBytes(40))}`,
    'Bearer \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9',
    'Digest username="x"',
    'basic ' + b64(devKey),
    ' ',
  ];
  const contentTypes = [
    undefined,
    'application/json',
    'application/x-msgpack',
    'application/x-www-form-urlencoded',
    'text/plain',
    'application/json; charset=\u00e9',
    'multipart/form-data; boundary=',
  ];
  const deep = (n: number, open: string, close: string): string => open.repeat(n) + close.repeat(n);
  const bodies = (): string => {
    switch (Math.floor(rand() * 16)) {
      case 0:
        return '';
      case 1:
        return '{';
      case 2:
        return '{"name":';
      case 3:
        return deep(5000 + Math.floor(rand() * 20000), '[', ']');
      case 4:
        return deep(3000, '{"a":', '}').replace(/}$/, '1}').replace('{"a":}', '{"a":1}');
      case 5:
        return JSON.stringify([{ name: 1, data: { x: [1, 2] }, encoding: 7, extras: 'x' }]);
      case 6:
        return JSON.stringify({ keys: 'x', namespaces: [{ id: 5 }], channels: 'x' });
      case 7:
        return JSON.stringify({ keys: [{ capability: '{"x":' }] });
      case 8:
        return JSON.stringify([{ intervalId: '2020-01-01:00:00', inbound: deepObj(2000) }]);
      case 9:
        return JSON.stringify({ channels: 5, messages: 'x' });
      case 10:
        return JSON.stringify({ action: 9, serial: {}, data: [] });
      case 11:
        return JSON.stringify({ targets: [5, null, 'clientId:', ':'], issuedBefore: 'x' });
      case 12:
        return randomBytes(1 + Math.floor(rand() * 200));
      case 13:
        return '\xdc\xff\xff' + randomBytes(10);
      case 14:
        return JSON.stringify({ keyName: 5, mac: 5, nonce: {}, timestamp: 'x', ttl: -1 });
      default:
        return JSON.stringify([null, 1, 'x', [], {}, true]);
    }
  };
  const deepObj = (n: number): unknown => {
    let o: unknown = { count: 1 };
    for (let i = 0; i < n; i++) o = { a: o };
    return o;
  };

  const fillRoute = (template: string): string =>
    template.replace(/\{\}/g, () => (chance(0.4) ? pick(segments) : pick(['x', 'chat', keyName])));

  /** One hostile REST request, as raw bytes. */
  function restRequest(): Buffer {
    const method = chance(0.9)
      ? pick(['GET', 'POST', 'PATCH', 'DELETE', 'GET', 'POST', 'PUT', 'OPTIONS', 'HEAD'])
      : pick(['FOO', 'G ET', 'get', '', 'GET\u0000', 'CONNECT', 'TRACE', 'M'.repeat(100)]);
    const version = chance(0.9)
      ? pick(['HTTP/1.1', 'HTTP/1.0'])
      : pick(['HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1x', '', 'HTTP/', 'http/1.1']);
    let path = chance(0.85) ? fillRoute(pick(ROUTES)) : pick(absurdPaths);
    if (chance(0.6)) path += '?' + pick(queries) + (chance(0.3) ? '&' + pick(queries) : '');
    const headers: string[] = ['Host: 127.0.0.1', 'Connection: close'];
    const auth = pick(auths);
    if (auth !== undefined) headers.push(`Authorization: ${auth}`);
    if (chance(0.2)) headers.push(`x-switchboard-admin-secret: ${randomBytes(16)}`);
    if (chance(0.2))
      headers.push(
        `X-Ably-ClientId: ${pick(['*', b64('*'), randomBytes(8), '%%%', b64(randomBytes(30))])}`,
      );
    if (chance(0.2))
      headers.push(`Accept: ${pick(['application/x-msgpack', '*/*', randomBytes(5)])}`);
    if (chance(0.1)) headers.push(`Origin: ${pick(['http://evil.example', randomBytes(10), ''])}`);
    if (chance(0.03)) headers.push(`X-Huge: ${'h'.repeat(20000 + Math.floor(rand() * 50000))}`);
    if (chance(0.05)) headers.push(randomBytes(20));
    const ct = pick(contentTypes);
    if (ct !== undefined) headers.push(`Content-Type: ${ct}`);
    const body = ['POST', 'PATCH', 'PUT', 'DELETE'].includes(method) || chance(0.1) ? bodies() : '';
    const len = Buffer.byteLength(body, 'latin1');
    if (chance(0.05))
      headers.push(`Content-Length: ${pick(['abc', '-1', '1e3', `${len}, ${len}`])}`);
    else if (chance(0.03)) headers.push('Transfer-Encoding: chunked');
    else headers.push(`Content-Length: ${len}`);
    return Buffer.from(
      `${method} ${path} ${version}\r\n${headers.join('\r\n')}\r\n\r\n${body}`,
      'latin1',
    );
  }

  /** One hostile WebSocket upgrade, as raw bytes. */
  function upgradeRequest(): Buffer {
    let target = chance(0.7) ? pick(['/', '/', '/comet/connect', '/x']) : pick(absurdPaths);
    const params = [
      pick([
        `key=${encodeURIComponent(devKey)}`,
        'key=garbage',
        `key=${keyName}:x`,
        'access_token=bad',
        '',
      ]),
      ...Array.from({ length: Math.floor(rand() * 4) }, () =>
        pick([
          'format=msgpack',
          'format=xml',
          'v=x',
          'v=6',
          'heartbeats=maybe',
          'echo=false',
          'resume=' + pick(['garbage', 'a!b', '!', '%E0%A4%A', 'x'.repeat(3000)]),
          'recover=' + pick(['garbage', '!!!']),
          'clientId=' + pick(['*', '%E0%A4%A', '%00', 'x'.repeat(5000)]),
          'remainPresentFor=abc',
          'remainPresentFor=-1',
          'remainPresentFor=1e309',
          '%zz=%zz',
          '&&&',
        ]),
      ),
    ];
    if (chance(0.9)) target += '?' + params.join('&');
    const headers = [
      'Host: 127.0.0.1',
      chance(0.95)
        ? 'Upgrade: websocket'
        : `Upgrade: ${pick(['h2c', 'WebSocket ', randomBytes(6)])}`,
      chance(0.95) ? 'Connection: Upgrade' : 'Connection: keep-alive, upgrade',
    ];
    if (chance(0.9))
      headers.push(
        `Sec-WebSocket-Key: ${chance(0.8) ? 'dGhlIHNhbXBsZSBub25jZQ==' : pick(['', 'short', randomBytes(24), '='.repeat(24)])}`,
      );
    if (chance(0.9))
      headers.push(`Sec-WebSocket-Version: ${chance(0.8) ? '13' : pick(['8', '99', 'x', ''])}`);
    if (chance(0.1))
      headers.push(`Sec-WebSocket-Extensions: ${pick(['permessage-deflate', randomBytes(12)])}`);
    if (chance(0.1)) headers.push(`Sec-WebSocket-Protocol: ${pick(['', ',,,', randomBytes(8)])}`);
    if (chance(0.1)) headers.push(`Authorization: ${pick(auths) ?? ''}`);
    let tail = '';
    // After the handshake some send frames: masked garbage, an unmasked frame, a huge length.
    if (chance(0.3))
      tail = pick([
        randomBytes(30),
        '\x81\x05hello',
        '\x82\xff' + '\xff'.repeat(8),
        '\x81\x8c\x00\x00\x00\x00{"action":1}',
        '\x88\x80\x00\x00\x00\x00',
      ]);
    return Buffer.from(
      `GET ${target} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${tail}`,
      'latin1',
    );
  }

  return { restRequest, upgradeRequest };
}
