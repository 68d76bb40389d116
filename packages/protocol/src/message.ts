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
