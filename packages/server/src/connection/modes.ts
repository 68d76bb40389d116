import {
  ALL_MODES,
  DEFAULT_MODES,
  Flag,
  parseModesParam,
  permits,
  type Capability,
} from '@switchboard/protocol';

/** The modes a capability allows on a channel: each mode needs its operation. */
export function permittedModes(cap: Capability, channel: string): number {
  let modes = 0;
  const canSubscribe = permits(cap, channel, 'subscribe');
  const canPresence = permits(cap, channel, 'presence');
  if (permits(cap, channel, 'publish')) modes |= Flag.PUBLISH;
  if (canSubscribe) modes |= Flag.SUBSCRIBE;
  if (canPresence) modes |= Flag.PRESENCE;
  if (canSubscribe || canPresence) modes |= Flag.PRESENCE_SUBSCRIBE;
  if (permits(cap, channel, 'annotation-publish') || permits(cap, channel, 'publish')) {
    modes |= Flag.ANNOTATION_PUBLISH;
  }
  if (permits(cap, channel, 'annotation-subscribe') || canSubscribe)
    modes |= Flag.ANNOTATION_SUBSCRIBE;
  if (permits(cap, channel, 'object-subscribe')) modes |= Flag.OBJECT_SUBSCRIBE;
  if (permits(cap, channel, 'object-publish')) modes |= Flag.OBJECT_PUBLISH;
  return modes;
}

/**
 * Modes requested by an ATTACH: the `modes` param wins over flags (RTL4l), none means the
 * default set. Returns undefined for an invalid `modes` param.
 */
export function requestedModes(
  flags: number | undefined,
  params: Record<string, string>,
): number | undefined {
  if (params.modes !== undefined) return parseModesParam(params.modes);
  const fromFlags = (flags ?? 0) & ALL_MODES;
  return fromFlags === 0 ? DEFAULT_MODES : fromFlags;
}
