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
  /** Summaries of the annotations on this message, by annotation type (TM2u, TM8). */
  annotations?: MessageAnnotations;
}

/** The annotations part of a message: one aggregated summary per annotation type (TM8a). */
export interface MessageAnnotations {
  summary: Record<string, unknown>;
}

/** An annotation of an earlier message (TAN2): a reaction, flag, receipt and the like. */
export interface Annotation {
  id?: string;
  /** 0 annotation.create, 1 annotation.delete (TAN2b). */
  action?: number;
  clientId?: string;
  connectionId?: string;
  name?: string;
  count?: number;
  data?: Data;
  encoding?: string;
  timestamp?: number;
  /** The annotation's own serial, assigned by the server (TAN2i). */
  serial?: string;
  /** The serial of the message annotated (TAN2j). */
  messageSerial?: string;
  /** `<namespace>:<summarization>.<version>`, e.g. `reaction:distinct.v1` (TAN2k). */
  type?: string;
  extras?: unknown;
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
