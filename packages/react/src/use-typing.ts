import { useCallback, useEffect, useRef, useState } from 'react';
import { useRealtimeClient } from './context.js';
import { useChannel } from './use-channel.js';

/** Options of useTyping. */
export interface UseTypingOptions {
  /** Quiet time after the last keystroke before `stop` is published (ms, default 2000). */
  idleMs?: number;
  /** Event names (defaults match the chat catalog). */
  startEvent?: string;
  stopEvent?: string;
  /** Data sent with both events, e.g. `{ actor: 'customer' }`. */
  payload?: Record<string, unknown>;
  /** Forget another typist whose stop never came after this long (ms, default 3 × idleMs). */
  staleMs?: number;
}

/** What useTyping returns. */
export interface UseTypingResult {
  /** Call on every keystroke: publishes `start` once, and `stop` after `idleMs` of quiet. */
  keystroke(): void;
  /** Publishes `stop` now if typing (e.g. when the message is sent). */
  stop(): void;
  /** clientIds of the others typing now. */
  typists: string[];
}

/** Debounced typing indicator on a channel: one start per burst, one stop after it. */
export function useTyping(channel: string, options: UseTypingOptions = {}): UseTypingResult {
  const client = useRealtimeClient();
  const idleMs = options.idleMs ?? 2000;
  const staleMs = options.staleMs ?? idleMs * 3;
  const startEvent = options.startEvent ?? 'typing:start';
  const stopEvent = options.stopEvent ?? 'typing:stop';
  const [typists, setTypists] = useState<string[]>([]);
  const expiry = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const typing = useRef(false);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const payload = useRef(options.payload);
  payload.current = options.payload;

  const { publish } = useChannel(channel, [startEvent, stopEvent], (m) => {
    const who = m.clientId;
    if (!who || who === client.clientId) return;
    const timers = expiry.current;
    clearTimeout(timers.get(who));
    timers.delete(who);
    if (m.name === startEvent) {
      timers.set(
        who,
        setTimeout(() => {
          timers.delete(who);
          setTypists((t) => t.filter((x) => x !== who));
        }, staleMs),
      );
      setTypists((t) => (t.includes(who) ? t : [...t, who]));
    } else {
      setTypists((t) => t.filter((x) => x !== who));
    }
  });

  const stop = useCallback(() => {
    clearTimeout(idleTimer.current);
    idleTimer.current = undefined;
    if (!typing.current) return;
    typing.current = false;
    publish(stopEvent, payload.current ?? {}).catch(() => undefined);
  }, [publish, stopEvent]);

  const keystroke = useCallback(() => {
    if (!typing.current) {
      typing.current = true;
      publish(startEvent, payload.current ?? {}).catch(() => undefined);
    }
    clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(stop, idleMs);
  }, [publish, startEvent, idleMs, stop]);

  useEffect(() => {
    const timers = expiry.current;
    return () => {
      // Others should not see this client typing forever once it is gone.
      stop();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    };
  }, [stop]);

  return { keystroke, stop, typists };
}
