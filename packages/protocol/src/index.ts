export { Action, PresenceAction, MessageAction, AnnotationAction } from './actions.js';
export type { ActionCode, PresenceActionCode } from './actions.js';
export { Flag, ModeFlag, ALL_MODES, DEFAULT_MODES, parseModesParam } from './flags.js';
export { ErrorInfo, isErrorInfo } from './error-info.js';
export type { ErrorInfoShape } from './error-info.js';
export { Errors, ERROR_CATALOG } from './errors.js';
export type { ErrorCatalogEntry } from './errors.js';
export type {
  Annotation,
  Data,
  Message,
  MessageAnnotations,
  MessageVersion,
  PresenceMessage,
} from './message.js';
export type { ProtocolMessage, ConnectionDetails, PublishResult } from './protocol-message.js';
export { normaliseInbound, toJsonPayload, messageSize } from './data-encoding.js';
export type { NeutralPayload } from './data-encoding.js';
export { encodeJson, encodeJsonBody, decodeJson, toJsonView } from './json-codec.js';
export {
  parseProtocolMessage,
  parseMessage,
  parsePresenceMessage,
  parseAnnotation,
  MAX_PAYLOAD_DEPTH,
} from './validate.js';
export { parseChannelName, channelNamespace } from './channel-name.js';
export type { ChannelName } from './channel-name.js';
export {
  OPERATIONS,
  FULL_CAPABILITY,
  parseCapability,
  stringifyCapability,
  resourceMatches,
  permits,
  permitsAppWide,
  permitsSomewhere,
  intersectCapabilities,
} from './capability.js';
export type { Capability, Operation } from './capability.js';
export { parseKey, appIdOfKeyName } from './key.js';
export type { ParsedKey } from './key.js';
