/** ProtocolMessage flag bits (spec TR3). */
export const Flag = {
  HAS_PRESENCE: 1 << 0,
  HAS_BACKLOG: 1 << 1,
  RESUMED: 1 << 2,
  TRANSIENT: 1 << 4,
  ATTACH_RESUME: 1 << 5,
  HAS_OBJECTS: 1 << 7,
  PRESENCE: 1 << 16,
  PUBLISH: 1 << 17,
  SUBSCRIBE: 1 << 18,
  PRESENCE_SUBSCRIBE: 1 << 19,
  ANNOTATION_PUBLISH: 1 << 21,
  ANNOTATION_SUBSCRIBE: 1 << 22,
  OBJECT_SUBSCRIBE: 1 << 24,
  OBJECT_PUBLISH: 1 << 25,
} as const;

/** Channel modes by their lower-case name, as used in the `modes` attach param. */
export const ModeFlag = {
  presence: Flag.PRESENCE,
  publish: Flag.PUBLISH,
  subscribe: Flag.SUBSCRIBE,
  presence_subscribe: Flag.PRESENCE_SUBSCRIBE,
  annotation_publish: Flag.ANNOTATION_PUBLISH,
  annotation_subscribe: Flag.ANNOTATION_SUBSCRIBE,
  object_subscribe: Flag.OBJECT_SUBSCRIBE,
  object_publish: Flag.OBJECT_PUBLISH,
} as const;

/** Every mode bit together. */
export const ALL_MODES = Object.values(ModeFlag).reduce((all, bit) => all | bit, 0);

/**
 * Modes granted when the client asks for none: what the ably-js suite expects from an
 * all-capable key (presence, publish, subscribe, presence_subscribe, annotation_publish).
 */
export const DEFAULT_MODES =
  Flag.PRESENCE | Flag.PUBLISH | Flag.SUBSCRIBE | Flag.PRESENCE_SUBSCRIBE | Flag.ANNOTATION_PUBLISH;

/** Parses a `modes` channel param ("presence,subscribe") into mode bits; undefined if invalid. */
export function parseModesParam(value: string): number | undefined {
  let bits = 0;
  for (const raw of value.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const bit = (ModeFlag as Record<string, number>)[name];
    if (bit === undefined) return undefined;
    bits |= bit;
  }
  return bits;
}
