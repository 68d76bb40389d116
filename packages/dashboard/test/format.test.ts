import { describe, expect, it } from 'vitest';
import { clip, dataText, timeText } from '../dist/format.js';
import { nextLink } from '../dist/paging.js';
import { clientSnippet } from '../dist/snippet.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe("the dashboard's formatting of REST data", () => {
  it('undoes json, base64 and utf-8 encodings, and names one it cannot undo', () => {
    expect(dataText('hello')).toBe('hello');
    expect(dataText('{"n":1}', 'json')).toBe('{"n":1}');
    expect(dataText(b64('héllo'), 'utf-8/base64')).toBe('héllo');
    expect(dataText(b64('{"a":"é"}'), 'json/utf-8/base64')).toBe('{"a":"é"}');
    expect(dataText(Buffer.from([0, 1, 255]).toString('base64'), 'base64')).toBe(
      'binary, 3 bytes: 00 01 ff',
    );
    expect(dataText('xyz', 'cipher+aes-128-cbc/base64')).toMatch(/\(cipher\+aes-128-cbc\)$/);
    expect(dataText('not base64!', 'base64')).toBe('not base64! (base64)');
    expect(dataText({ a: 1 })).toBe('{"a":1}');
    expect(dataText(undefined)).toBe('');
  });

  it('formats times and clips long text', () => {
    expect(timeText(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(timeText(undefined)).toBe('');
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
  });
});

describe("the dashboard's paging links", () => {
  it('resolves rel="next" against the request path, and finds none on the last page', () => {
    const link =
      '<./messages?limit=2&direction=backwards>; rel="first", <./messages?limit=2&direction=backwards&cursor=5_0>; rel="next"';
    expect(nextLink(link, '/channels/a%3Ab/messages?limit=2&direction=backwards')).toBe(
      '/channels/a%3Ab/messages?limit=2&direction=backwards&cursor=5_0',
    );
    expect(nextLink('<./events?limit=2>; rel="first"', '/apps/x/events?limit=2')).toBeUndefined();
    expect(nextLink(null, '/apps/x/events')).toBeUndefined();
  });
});

describe("the dashboard's client snippet", () => {
  const endpoint = { hostname: '127.0.0.1', port: '8080', secure: false };

  it('connects the official client with the key, endpoint, port and tls: false', () => {
    const text = clientSnippet(endpoint, { kind: 'key', key: 'app.k:s"</script>' });
    expect(text).toContain("import * as Ably from 'ably';");
    expect(text).toContain('key: "app.k:s\\"\\u003c/script>",');
    expect(text).toContain('endpoint: "127.0.0.1",');
    expect(text).toContain('port: 8080,');
    expect(text).toContain('tls: false,');
  });

  it('uses authUrl instead of a key for browsers, and the default port of the scheme', () => {
    const text = clientSnippet(
      { hostname: 'rt.example.com', port: '', secure: true },
      { kind: 'token', authUrl: '/api/ably-token' },
    );
    expect(text).toContain('authUrl: "/api/ably-token",');
    expect(text).not.toContain('key:');
    expect(text).toContain('port: 443,');
    expect(text).toContain('tls: true,');
  });
});
