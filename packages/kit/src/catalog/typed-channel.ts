import type { z } from 'zod';
import type {
  HistoryOptions,
  PresenceMember,
  RealtimeMessage,
  RealtimeProvider,
  Unsubscribe,
} from '../realtime/types.js';
import type { ChannelDefinition, ChannelParams, EventSchemas } from './define-channel.js';
import { CatalogValidationError, check, type InvalidEventReport } from './validation.js';

/** A message of a catalog event, its data parsed by the event's schema (a union over `K`, narrowed by `name`). */
export type TypedMessage<E extends EventSchemas, K extends keyof E> = K extends keyof E
  ? Omit<RealtimeMessage, 'name' | 'data'> & { name: K; data: z.output<E[K]> }
  : never;

/** Options of typedChannel. */
export interface TypedChannelOptions {
  /** Called for each received message or presence member dropped as invalid (default: console.warn). */
  onInvalid?: (report: InvalidEventReport) => void;
}

/** One channel of a catalog on a client: publish and subscribe checked against the schemas. */
export interface TypedChannel<E extends EventSchemas, P extends z.ZodType> {
  readonly name: string;
  /** Validates then publishes; an invalid payload rejects with a CatalogValidationError and sends nothing. */
  publish<K extends keyof E & string>(event: K, data: z.input<E[K]>): Promise<void>;
  /** Delivers valid messages of the event(s); invalid ones are dropped and reported. */
  subscribe<K extends keyof E & string>(
    event: K | K[],
    listener: (message: TypedMessage<E, K>) => void,
  ): Promise<Unsubscribe>;
  presence: {
    enter(data: z.input<P>): Promise<void>;
    update(data: z.input<P>): Promise<void>;
    leave(): Promise<void>;
    /** Members whose data validates (others are reported). */
    get(): Promise<PresenceMember<z.output<P>>[]>;
    subscribe(listener: (member: PresenceMember<z.output<P>>) => void): Promise<Unsubscribe>;
  };
  /** Past messages of the catalog's events that validate. */
  history(options?: HistoryOptions): Promise<TypedMessage<E, keyof E & string>[]>;
}

/** Binds a channel definition and params to a client. */
export function typedChannel<S extends string, E extends EventSchemas, P extends z.ZodType>(
  client: RealtimeProvider,
  definition: ChannelDefinition<S, E, P>,
  params: ChannelParams<S>,
  options: TypedChannelOptions = {},
): TypedChannel<E, P> {
  const name = definition.name(params);
  const report = options.onInvalid ?? warnInvalid;

  const schemaOf = (event: string): z.ZodType | undefined =>
    Object.prototype.hasOwnProperty.call(definition.events, event)
      ? definition.events[event]
      : undefined;

  const parseMessage = (m: RealtimeMessage): TypedMessage<E, keyof E & string> | undefined => {
    const schema = schemaOf(m.name);
    const result = schema
      ? check(schema, name, m.name, m.data)
      : {
          ok: false as const,
          error: new CatalogValidationError(name, m.name, 'not an event of this channel'),
        };
    if (!result.ok) {
      report({ channel: name, event: m.name, error: result.error, received: m.data });
      return undefined;
    }
    return { ...m, data: result.value } as TypedMessage<E, keyof E & string>;
  };

  const parseMember = (m: PresenceMember): PresenceMember<z.output<P>> | undefined => {
    // A leave may carry no data; it still has to reach listeners.
    if (m.action === 'leave' && (m.data === undefined || m.data === null))
      return m as PresenceMember<z.output<P>>;
    const result = check(definition.presence, name, 'presence', m.data);
    if (!result.ok) {
      report({ channel: name, event: 'presence', error: result.error, received: m.data });
      return undefined;
    }
    return { ...m, data: result.value as z.output<P> };
  };

  const validated = (event: string, schema: z.ZodType, data: unknown): Promise<unknown> => {
    const result = check(schema, name, event, data);
    return result.ok ? Promise.resolve(result.value) : Promise.reject(result.error);
  };

  return {
    name,
    async publish(event, data) {
      const schema = schemaOf(event);
      if (!schema) throw new CatalogValidationError(name, event, 'not an event of this channel');
      await client.publish(name, event, await validated(event, schema, data));
    },
    subscribe(event, listener) {
      const events = ([] as string[]).concat(event);
      for (const e of events) {
        if (!schemaOf(e)) throw new CatalogValidationError(name, e, 'not an event of this channel');
      }
      return client.subscribe(name, events, (m) => {
        const typed = parseMessage(m);
        if (typed) listener(typed as never);
      });
    },
    presence: {
      enter: async (data) =>
        client.presence.enter(name, await validated('presence', definition.presence, data)),
      update: async (data) =>
        client.presence.update(name, await validated('presence', definition.presence, data)),
      leave: () => client.presence.leave(name),
      async get() {
        return (await client.presence.get(name)).flatMap((m) => parseMember(m) ?? []);
      },
      subscribe: (listener) =>
        client.presence.subscribe(name, (m) => {
          const typed = parseMember(m);
          if (typed) listener(typed);
        }),
    },
    async history(opts) {
      return (await client.history(name, opts)).flatMap((m) => parseMessage(m) ?? []);
    },
  };
}

function warnInvalid(report: InvalidEventReport): void {
  console.warn(`Dropped an invalid event: ${report.error.message}`);
}
