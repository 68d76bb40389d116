/** Payload data as Switchboard holds it: text, bytes, or absent. Format-neutral (see data-encoding). */
export type Data = string | Uint8Array;

/** A published message (spec TM2), as held by the server. */
export interface Message {
  id?: string;
  name?: string;
  data?: Data;
  encoding?: string;
  clientId?: string;
  connectionId?: string;
  connectionKey?: string;
  timestamp?: number;
  extras?: unknown;
  action?: number;
  serial?: string;
  /** For updates, deletes and appends: the operation's own serial and metadata (TM2s). */
  version?: MessageVersion;
}

/** Who changed a message, when, and why (TM2s). */
export interface MessageVersion {
  serial?: string;
  timestamp?: number;
  clientId?: string;
  description?: string;
  metadata?: Record<string, string>;
}

/** A presence event or member (spec TP3). */
export interface PresenceMessage {
  id?: string;
  action: number;
  clientId?: string;
  connectionId?: string;
  data?: Data;
  encoding?: string;
  extras?: unknown;
  timestamp?: number;
}
