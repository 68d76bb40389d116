import type { Annotation } from '@switchboard/protocol';
import type { AnnotationRecord, Store } from '@switchboard/server';
import { expect, it } from 'vitest';
import type { StoreFactory } from './store-factory.js';

const MESSAGE = 'ep.5:0';

function record(n: number, over: Partial<AnnotationRecord> = {}): AnnotationRecord {
  return {
    appId: 'app',
    channel: 'persisted:reactions',
    messageSerial: MESSAGE,
    annotation: {
      id: `conn:${n}:0`,
      action: 0,
      clientId: `client-${n}`,
      connectionId: 'conn',
      type: 'reaction:distinct.v1',
      name: n % 2 === 0 ? 'like' : 'heart',
      timestamp: 1000 + n,
      serial: `ep.5:~${String(n).padStart(6, '0')}`,
      messageSerial: MESSAGE,
    },
    ...over,
  };
}

/** Every annotation of a message, following `next` page by page. */
async function listAll(store: Store, messageSerial: string, limit: number): Promise<Annotation[]> {
  const all: Annotation[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.listAnnotations({
      appId: 'app',
      channel: 'persisted:reactions',
      messageSerial,
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    all.push(...page.items);
    cursor = page.next;
    pages++;
  } while (cursor !== undefined && pages < 100);
  return all;
}

/** The AnnotationStore cases: annotations and summaries of persisted channels' messages. */
export function annotationStoreCases(factory: StoreFactory): void {
  it('annotations: appended in batches, listed per message in order, paged with a cursor', async () => {
    const store = await factory.open();
    await store.appendAnnotations({ annotations: [1, 2, 3].map((n) => record(n)), summaries: [] });
    await store.appendAnnotations({
      annotations: [
        record(4),
        // Another message, another channel and another app do not mix in.
        record(9, { messageSerial: 'ep.6:0' }),
        record(10, { channel: 'persisted:other' }),
        record(11, { appId: 'other' }),
        record(5),
      ],
      summaries: [],
    });
    const expected = [1, 2, 3, 4, 5].map((n) => record(n).annotation);
    expect(await listAll(store, MESSAGE, 2)).toEqual(expected);
    expect(await listAll(store, MESSAGE, 5)).toEqual(expected);
    expect(await listAll(store, MESSAGE, 100)).toEqual(expected);
    const first = await store.listAnnotations({
      appId: 'app',
      channel: 'persisted:reactions',
      messageSerial: MESSAGE,
      limit: 5,
    });
    expect(first.next).toBeUndefined();
    expect(await listAll(store, 'ep.6:0', 10)).toEqual([record(9).annotation]);
    expect(await listAll(store, 'ep.7:0', 10)).toEqual([]);
    await store.close();
  });

  it('annotations: binary data, extras and unusual text come back as they went in', async () => {
    const store = await factory.open();
    const odd = record(1, {
      annotation: {
        ...record(1).annotation,
        name: 'nul\u0000 \uffff 👍',
        data: Buffer.from([0, 1, 2, 255]),
        extras: { headers: { k: 'v' } },
        count: 3,
      },
    });
    await store.appendAnnotations({ annotations: [odd], summaries: [] });
    const [back] = await listAll(store, MESSAGE, 10);
    expect(back).toEqual(odd.annotation);
    expect(Buffer.isBuffer(back!.data)).toBe(true);
    await store.close();
  });

  it('summaries: the last one of a message wins, read for many messages at once', async () => {
    const store = await factory.open();
    const summary = (n: number) => ({
      'reaction:distinct.v1': { like: { total: n, clientIds: ['a'], clipped: false } },
    });
    const of = (messageSerial: string, n: number, channel = 'persisted:reactions') => ({
      appId: 'app',
      channel,
      messageSerial,
      summary: summary(n),
      timestamp: 1000 + n,
    });
    await store.appendAnnotations({
      annotations: [],
      summaries: [of('ep.1:0', 1), of('ep.2:0', 1)],
    });
    // A later batch, and a later summary of the same message within one batch, replace it.
    await store.appendAnnotations({
      annotations: [record(1)],
      summaries: [of('ep.1:0', 2), of('ep.1:0', 3), of('ep.1:0', 9, 'persisted:other')],
    });
    const read = await store.readSummaries('app', 'persisted:reactions', [
      'ep.1:0',
      'ep.2:0',
      'ep.3:0',
    ]);
    const bySerial = (a: { messageSerial: string }, b: { messageSerial: string }) =>
      a.messageSerial.localeCompare(b.messageSerial);
    expect(read.sort(bySerial)).toEqual([of('ep.1:0', 3), of('ep.2:0', 1)]);
    expect(await store.readSummaries('app', 'persisted:reactions', [])).toEqual([]);
    expect(await store.readSummaries('other', 'persisted:reactions', ['ep.1:0'])).toEqual([]);
    await store.close();
  });

  it.skipIf(!factory.reopen)(
    'annotations and summaries survive reopening a durable store',
    async () => {
      const store = await factory.open();
      await store.appendAnnotations({
        annotations: [record(1), record(2)],
        summaries: [
          {
            appId: 'app',
            channel: 'persisted:reactions',
            messageSerial: MESSAGE,
            summary: { t: { total: 2 } },
            timestamp: 5,
          },
        ],
      });
      await store.close();
      const again = await factory.reopen!();
      expect(await listAll(again, MESSAGE, 1)).toEqual([
        record(1).annotation,
        record(2).annotation,
      ]);
      expect(await again.readSummaries('app', 'persisted:reactions', [MESSAGE])).toEqual([
        {
          appId: 'app',
          channel: 'persisted:reactions',
          messageSerial: MESSAGE,
          summary: { t: { total: 2 } },
          timestamp: 5,
        },
      ]);
      await again.close();
    },
  );

  it('annotations and summaries are pruned by time, in batches', async () => {
    const store = await factory.open();
    const summaryAt = (messageSerial: string, timestamp: number) => ({
      appId: 'app',
      channel: 'persisted:reactions',
      messageSerial,
      summary: { t: { total: 1 } },
      timestamp,
    });
    // record(n) is published at 1000 + n.
    await store.appendAnnotations({
      annotations: [1, 2, 3, 4, 5].map((n) => record(n)),
      summaries: [summaryAt('ep.1:0', 1001), summaryAt('ep.2:0', 1009)],
    });
    expect(await store.pruneAnnotations(1004, 2)).toBe(2);
    expect(await store.pruneAnnotations(1004, 10)).toBe(2);
    expect(await store.pruneAnnotations(1004, 10)).toBe(0);
    expect((await listAll(store, MESSAGE, 10)).map((a) => a.timestamp)).toEqual([1004, 1005]);
    expect(
      (await store.readSummaries('app', 'persisted:reactions', ['ep.1:0', 'ep.2:0'])).map(
        (s) => s.messageSerial,
      ),
    ).toEqual(['ep.2:0']);
    await store.close();
  });
}
