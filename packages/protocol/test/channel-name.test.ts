import { describe, expect, it } from 'vitest';
import { parseChannelName } from '@switchboard/protocol';

describe('channel names', () => {
  it('accepts plain, namespaced and qualified names', () => {
    expect(parseChannelName('conversation:42').name).toBe('conversation:42');
    expect(parseChannelName('[meta]log').name).toBe('[meta]log');
    expect(parseChannelName('[?rewind=1]room')).toEqual({ name: 'room', params: { rewind: '1' } });
  });

  it.each(['', '[bogus', '[]x', ':hell', '[meta]'])('rejects %j with 40010', (name) => {
    expect(() => parseChannelName(name)).toThrow(
      expect.objectContaining({ code: 40010, statusCode: 400 }),
    );
  });
});
