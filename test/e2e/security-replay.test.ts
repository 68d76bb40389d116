import { rawClient } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, realtimeOptions, useServer } from './helpers.js';

describe('SYNC and ATTACH cost is bounded per connection (security #15)', () => {
  const members = Array.from({ length: 200 }, (_, i) => ({
    clientId: `member-${i}`,
    data: 'x'.repeat(100),
  }));
  const { server } = useServer({
    channels: [{ name: 'crowded', presence: members }],
    keys: [undefined, { '*': ['subscribe'] }],
  });

  it('a flood of SYNC requests gets a bounded number of SYNC frames; the connection stays usable', async () => {
    const raw = await rawClient(server().port, { key: server().key });
    await raw.next((pm) => pm.action === 4);
    raw.send({ action: 10, channel: 'crowded' });
    await raw.next((pm) => pm.action === 11);
    for (let i = 0; i < 1000; i++) raw.send({ action: 16, channel: 'crowded' });
    raw.send({ action: 0, id: 'after-flood' });
    await raw.next((pm) => pm.action === 0 && pm.id === 'after-flood', 15_000);
    const syncs = raw.received.filter((pm) => pm.action === 16).length;
    expect(syncs).toBeLessThan(200);
    raw.close();
  });

  it('a flood of re-ATTACHes is refused past the budget with 42910', async () => {
    const raw = await rawClient(server().port, { key: server().key });
    await raw.next((pm) => pm.action === 4);
    for (let i = 0; i < 1000; i++) raw.send({ action: 10, channel: 'crowded' });
    const refused = await raw.next((pm) => pm.action === 9 && pm.error?.code === 42910, 15_000);
    expect(refused.channel).toBe('crowded');
    const attached = raw.received.filter((pm) => pm.action === 11).length;
    expect(attached).toBeLessThan(200);
    raw.close();
  });

  it('a forged channelSerial replays no more than rewind would to a client without history', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), 'json'));
    const channel = rest.channels.get('long-log');
    for (let i = 0; i < 150; i++) await channel.publish('m', String(i));
    const raw = await rawClient(server().port, { key: server().keys[1]!.keyStr });
    await raw.next((pm) => pm.action === 4);
    raw.send({ action: 10, channel: 'long-log' });
    const attached = await raw.next((pm) => pm.action === 11);
    const epoch = attached.channelSerial!.slice(0, attached.channelSerial!.lastIndexOf('.'));
    raw.send({ action: 12, channel: 'long-log' });
    await raw.next((pm) => pm.action === 13);
    raw.send({ action: 10, channel: 'long-log', channelSerial: `${epoch}.000000000` });
    await raw.next((pm) => pm.action === 11 && pm !== attached);
    raw.send({ action: 0, id: 'done' });
    await raw.next((pm) => pm.action === 0 && pm.id === 'done');
    const replayed = raw.received
      .filter((pm) => pm.action === 15)
      .reduce((n, pm) => n + (pm.messages?.length ?? 0), 0);
    expect(replayed).toBeLessThanOrEqual(100);
    raw.close();
  });
});

describe('a connectionKey is bound to its clientId (security #18)', () => {
  const { server, track } = useServer();

  const tokenClient = (clientId: string): Ably.Rest =>
    new Ably.Rest({
      ...server().clientOptions('json'),
      authCallback: (_params, done) => {
        const issuer = new Ably.Rest({ ...server().clientOptions('json'), key: server().key });
        issuer.auth.requestToken({ clientId }).then(
          (token) => done(null, token),
          (err: Ably.ErrorInfo) => done(err, null),
        );
      },
    } as Ably.ClientOptions);

  it('another clientId cannot publish on behalf of the connection', async () => {
    const alice = track(
      new Ably.Realtime(realtimeOptions(server(), 'json', { clientId: 'alice' })),
    );
    await alice.connection.once('connected');
    const key = alice.connection.key!;
    const bob = tokenClient('bob');
    await expect(
      bob.channels
        .get('room')
        .publish({ name: 'm', data: 'x', connectionKey: key } as Ably.Message),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('another clientId cannot take over the session on resume', async () => {
    const alice = track(
      new Ably.Realtime(realtimeOptions(server(), 'json', { clientId: 'alice' })),
    );
    await alice.connection.once('connected');
    const raw = await rawClient(server().port, {
      key: server().key,
      clientId: 'bob',
      resume: alice.connection.key!,
    });
    const connected = await raw.next((pm) => pm.action === 4);
    expect(connected.connectionId).not.toBe(alice.connection.id);
    expect(alice.connection.state).toBe('connected');
    raw.close();
  });
});
