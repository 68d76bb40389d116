/** ProtocolMessage actions (spec TR2). */
export const Action = {
  HEARTBEAT: 0,
  ACK: 1,
  NACK: 2,
  CONNECT: 3,
  CONNECTED: 4,
  DISCONNECT: 5,
  DISCONNECTED: 6,
  CLOSE: 7,
  CLOSED: 8,
  ERROR: 9,
  ATTACH: 10,
  ATTACHED: 11,
  DETACH: 12,
  DETACHED: 13,
  PRESENCE: 14,
  MESSAGE: 15,
  SYNC: 16,
  AUTH: 17,
  ACTIVATE: 18,
  OBJECT: 19,
  OBJECT_SYNC: 20,
  ANNOTATION: 21,
} as const;

/** A numeric ProtocolMessage action. */
export type ActionCode = (typeof Action)[keyof typeof Action];

/** Presence actions (spec TP2). */
export const PresenceAction = {
  ABSENT: 0,
  PRESENT: 1,
  ENTER: 2,
  LEAVE: 3,
  UPDATE: 4,
} as const;

/** A numeric presence action. */
export type PresenceActionCode = (typeof PresenceAction)[keyof typeof PresenceAction];

/** Message actions (spec TM5). */
export const MessageAction = {
  CREATE: 0,
  UPDATE: 1,
  DELETE: 2,
  META: 3,
  SUMMARY: 4,
  APPEND: 5,
} as const;

/** Annotation actions (spec TAN2b). */
export const AnnotationAction = {
  CREATE: 0,
  DELETE: 1,
} as const;
