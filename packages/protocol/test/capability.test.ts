import { describe, expect, it } from 'vitest';
import {
  intersectCapabilities,
  parseCapability,
  permits,
  resourceMatches,
  stringifyCapability,
} from '@switchboard/protocol';

describe('capability grammar', () => {
  it.each([
    ['*', 'room', true],
    ['*', 'ns:room', true],
    ['*', '[meta]log', false],
    ['[*]*', '[meta]log', true],
    ['[meta]*', '[meta]log', true],
    ['[meta]*', 'log', false],
    ['ns:*', 'ns:a', true],
    ['ns:*', 'ns:a:b', true],
    ['ns:*', 'ns', false],
    ['ns:*', 'other:a', false],
    ['foo:*:baz', 'foo:x:baz', true],
    ['foo:*:baz', 'foo:x:y:baz', false],
    ['foo*', 'foobar', false],
    ['foo*', 'foo*', true],
    ['meetwithoutfear:session:1', 'meetwithoutfear:session:1', true],
    ['meetwithoutfear:session:1', 'meetwithoutfear:session:1:presence', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(resourceMatches(pattern, name)).toBe(expected);
  });

  it('rejects unknown operations, "*" mixed with others and empty lists with 400', () => {
    expect(() => parseCapability('{"a":["publish_"]}')).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
    expect(() => parseCapability('{"a":["*","publish"]}')).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
    expect(() => parseCapability('{"a":[]}')).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => parseCapability('not json')).toThrow(expect.objectContaining({ statusCode: 400 }));
  });

  it('checks an operation on a channel', () => {
    const cap = parseCapability({ 'chat:*': ['publish', 'subscribe'], '*': ['subscribe'] });
    expect(permits(cap, 'chat:1', 'publish')).toBe(true);
    expect(permits(cap, 'other', 'publish')).toBe(false);
    expect(permits(cap, 'other', 'subscribe')).toBe(true);
  });

  it('RSA10: intersects a request with the key, both ways round, operations in canonical (sorted) order', () => {
    const key = parseCapability({ 'canpublish:*': ['publish', 'subscribe'] });
    expect(
      stringifyCapability(
        intersectCapabilities(parseCapability({ 'canpublish:check': ['*'] }), key),
      ),
    ).toBe('{"canpublish:check":["publish","subscribe"]}');
    const all = parseCapability({ '*': ['*'] });
    expect(
      stringifyCapability(intersectCapabilities(parseCapability({ 'a:*': ['subscribe'] }), all)),
    ).toBe('{"a:*":["subscribe"]}');
    expect(() => intersectCapabilities(parseCapability({ other: ['publish'] }), key)).toThrow(
      expect.objectContaining({ code: 40160 }),
    );
  });
});

describe('canonical capability', () => {
  it('sorts operations, as Ably returns them for keys and tokens', () => {
    expect(
      stringifyCapability(
        parseCapability({ 'pushenabled:*': ['publish', 'subscribe', 'push-subscribe'] }),
      ),
    ).toBe('{"pushenabled:*":["publish","push-subscribe","subscribe"]}');
  });
});
