import type { RealtimeProvider } from '@switchboard/kit/client';

/** Options of the registry (from the provider component). */
export interface ChannelRegistryOptions {
  /**
   * How long a channel nobody uses stays attached before it is released (ms, default 0). The
   * release waits at least one task, so StrictMode's unmount-and-remount in one commit reuses the
   * channel instead of detaching and attaching it again.
   */
  releaseDelayMs?: number;
}

/**
 * Reference counts of the channels hooks use on one client: the last user out releases the
 * channel; presence entered through `usePresence` is left once no component holds it.
 */
export interface ChannelRegistry {
  /** Marks the channel used until the returned function is called. */
  acquire(channel: string): () => void;
  /** Enters (or updates) presence for as long as the returned function is not called. */
  holdPresence(
    channel: string,
    data: unknown,
  ): { update(data: unknown): Promise<void>; drop(): void };
}

interface Entry {
  users: number;
  presenceHolders: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export function createChannelRegistry(
  client: RealtimeProvider,
  options: ChannelRegistryOptions = {},
  onError: (err: unknown) => void = reportError,
): ChannelRegistry {
  const delay = options.releaseDelayMs ?? 0;
  const entries = new Map<string, Entry>();

  const entryOf = (channel: string): Entry => {
    let e = entries.get(channel);
    if (!e) {
      e = { users: 0, presenceHolders: 0, timer: undefined };
      entries.set(channel, e);
    }
    if (e.timer !== undefined) {
      clearTimeout(e.timer);
      e.timer = undefined;
    }
    return e;
  };

  const settle = (channel: string, e: Entry): void => {
    if (e.users > 0 || e.timer !== undefined) return;
    e.timer = setTimeout(() => {
      e.timer = undefined;
      if (e.users > 0) return;
      entries.delete(channel);
      client.release(channel).catch(onError);
    }, delay);
  };

  return {
    acquire(channel) {
      const e = entryOf(channel);
      e.users += 1;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        e.users -= 1;
        settle(channel, e);
      };
    },
    holdPresence(channel, data) {
      const e = entryOf(channel);
      e.users += 1;
      e.presenceHolders += 1;
      // A second holder (StrictMode's remount) re-enters, which is an update of the same member.
      client.presence.enter(channel, data).catch(onError);
      let dropped = false;
      return {
        update: (next) => client.presence.update(channel, next),
        drop() {
          if (dropped) return;
          dropped = true;
          e.presenceHolders -= 1;
          e.users -= 1;
          if (e.presenceHolders > 0) return;
          // Left after a task, so a remount in the same commit does not flash leave/enter to others.
          setTimeout(() => {
            if (e.presenceHolders > 0) return;
            if (client.isConnected() && client.channelState(channel) === 'attached') {
              client.presence.leave(channel).catch(onError);
            }
          }, delay);
          settle(channel, e);
        },
      };
    },
  };
}

function reportError(err: unknown): void {
  console.error('@switchboard/react:', err);
}
