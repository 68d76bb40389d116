import { ErrorInfo } from './error-info.js';

/** One row of the error catalog: the code, its HTTP status and when Switchboard uses it. */
export interface ErrorCatalogEntry {
  code: number;
  statusCode: number;
  name: string;
  when: string;
}

/** Every error code Switchboard sends, with its status. Docs' error table is generated from this. */
export const ERROR_CATALOG = [
  { code: 40000, statusCode: 400, name: 'badRequest', when: 'A request or frame is malformed' },
  {
    code: 40003,
    statusCode: 400,
    name: 'invalidParameter',
    when: 'A parameter has an invalid value (ttl, limit, direction, …)',
  },
  {
    code: 40009,
    statusCode: 400,
    name: 'messageTooLarge',
    when: 'A message is larger than maxMessageSize',
  },
  {
    code: 40010,
    statusCode: 400,
    name: 'invalidChannelName',
    when: 'A channel name is empty or has a bad [qualifier]',
  },
  {
    code: 40012,
    statusCode: 400,
    name: 'invalidClientId',
    when: 'A clientId does not match the connection or credentials',
  },
  {
    code: 40013,
    statusCode: 400,
    name: 'invalidData',
    when: 'A payload has an unsupported type or encoding',
  },
  {
    code: 40099,
    statusCode: 400,
    name: 'forcedNack',
    when: 'Test hook: a publish with _forceNack=true (spec RSL1l1)',
  },
  {
    code: 40100,
    statusCode: 401,
    name: 'unauthorized',
    when: 'No credentials were given, or an admin or operator route in production mode without the admin secret',
  },
  {
    code: 40101,
    statusCode: 401,
    name: 'invalidCredentials',
    when: 'Wrong key secret, unknown key or bad TokenRequest MAC',
  },
  {
    code: 40102,
    statusCode: 401,
    name: 'incompatibleCredentials',
    when: 'The requested clientId conflicts with the credentials',
  },
  {
    code: 40104,
    statusCode: 401,
    name: 'timestampOutsideWindow',
    when: 'A TokenRequest timestamp is too far from server time',
  },
  {
    code: 40105,
    statusCode: 401,
    name: 'nonceReplayed',
    when: 'A TokenRequest nonce was used before',
  },
  {
    code: 40131,
    statusCode: 401,
    name: 'keyRevoked',
    when: "The key was revoked or its app changed it (the ERROR that ends the key's connections)",
  },
  { code: 40140, statusCode: 401, name: 'tokenError', when: 'A token could not be accepted' },
  { code: 40141, statusCode: 401, name: 'tokenRevoked', when: 'The token was revoked' },
  {
    code: 40142,
    statusCode: 401,
    name: 'tokenExpired',
    when: 'The token expired (connections are DISCONNECTED with this code)',
  },
  {
    code: 40143,
    statusCode: 401,
    name: 'tokenUnrecognized',
    when: 'The token string is not one this server signed',
  },
  {
    code: 40144,
    statusCode: 401,
    name: 'invalidJwt',
    when: 'A JWT is malformed, not HS256, names an unknown key, has a bad signature or bad claims',
  },
  {
    code: 40160,
    statusCode: 401,
    name: 'capabilityDenied',
    when: 'The credentials lack the capability for this operation on this channel',
  },
  {
    code: 40160,
    statusCode: 401,
    name: 'pushNotPermitted',
    when: "A push admin route without push-admin, or a device route without that device's identity",
  },
  {
    code: 40000,
    statusCode: 400,
    name: 'invalidDeviceRegistration',
    when: 'A device registration lacks a field or has a bad value (the message names the field)',
  },
  {
    code: 40161,
    statusCode: 401,
    name: 'identifiedClientRequired',
    when: 'The channel requires an identified client',
  },
  {
    code: 40300,
    statusCode: 403,
    name: 'forbidden',
    when: 'In development mode, an admin operation (DELETE /apps, POST /stats, webhook rules, operator routes) by a key without full capability',
  },
  {
    code: 40400,
    statusCode: 404,
    name: 'notFound',
    when: "Unknown route, app, key or message; also the ERROR that ends a deleted app's connections",
  },
  {
    code: 41300,
    statusCode: 413,
    name: 'bodyTooLarge',
    when: 'A REST body is larger than maxBodySize',
  },
  {
    code: 40000,
    statusCode: 400,
    name: 'invalidNotification',
    when: 'A `POST /notify` body lacks a field or has a bad value (the message names the field)',
  },
  {
    code: 42910,
    statusCode: 429,
    name: 'nudgeLimited',
    when: "A nudge inside nudgeIntervalMs of the same sender's last nudge to that recipient (the answer says when the next is allowed)",
  },
  {
    code: 42910,
    statusCode: 429,
    name: 'rateLimited',
    when: 'A connection publishes faster than maxInboundRate',
  },
  { code: 50000, statusCode: 500, name: 'internalError', when: 'An unexpected server failure' },
  {
    code: 50001,
    statusCode: 500,
    name: 'storeUnavailable',
    when: 'A publish to a persisted channel could not be stored (NACKed; nothing was delivered)',
  },
  {
    code: 50002,
    statusCode: 503,
    name: 'brokerUnavailable',
    when: 'A publish or presence change on a node whose cluster broker (Redis) cannot take it (NACKed; nothing was delivered)',
  },
  {
    code: 80003,
    statusCode: 400,
    name: 'outboundQueueOverflow',
    when: 'A slow consumer exceeded maxOutboundQueue and was disconnected',
  },
  {
    code: 50300,
    statusCode: 503,
    name: 'notReady',
    when: 'GET /ready while draining or when the store does not answer',
  },
  {
    code: 80003,
    statusCode: 503,
    name: 'serverDraining',
    when: 'The server is shutting down: DISCONNECTED, and the client reconnects (to another node)',
  },
  {
    code: 80008,
    statusCode: 400,
    name: 'connectionExpired',
    when: 'A comet request names a well-formed connection key whose transport is gone (the client resumes)',
  },
  { code: 80017, statusCode: 400, name: 'connectionClosed', when: 'The connection was closed' },
  {
    code: 80018,
    statusCode: 400,
    name: 'invalidConnectionKey',
    when: 'A resume or recover key is unknown or expired',
  },
  {
    code: 90001,
    statusCode: 400,
    name: 'tooManyChannels',
    when: 'A connection attached more than maxChannelsPerConnection channels',
  },
  {
    code: 90010,
    statusCode: 400,
    name: 'tooManyChannelsInRequest',
    when: 'A batch request names more than maxBatchChannels channels',
  },
  {
    code: 90021,
    statusCode: 429,
    name: 'tooManyChannelsInApp',
    when: 'A new channel would exceed maxChannelsPerApp active channels',
  },
  {
    code: 91000,
    statusCode: 400,
    name: 'presenceWithoutClientId',
    when: 'An anonymous client tried to enter presence',
  },
  {
    code: 91003,
    statusCode: 400,
    name: 'tooManyPresenceMembers',
    when: 'A channel reached maxPresenceMembers',
  },
  {
    code: 93002,
    statusCode: 400,
    name: 'messageUpdatesNotEnabled',
    when: 'Update, delete or append on a channel whose namespace lacks mutableMessages',
  },
] as const satisfies readonly ErrorCatalogEntry[];

const make = (code: number, statusCode: number, message: string): ErrorInfo =>
  new ErrorInfo(message, code, statusCode);

/** Factories: the only place ErrorInfo values are built. */
export const Errors = {
  badRequest: (detail: string) => make(40000, 400, detail),
  invalidParameter: (detail: string) => make(40003, 400, detail),
  messageTooLarge: (size: number, limit: number) =>
    make(
      40009,
      400,
      `Maximum message size exceeded: ${size} bytes is over the ${limit}-byte limit`,
    ),
  invalidChannelName: (name: string) => make(40010, 400, `Invalid channel name: "${name}"`),
  invalidClientId: (detail: string) => make(40012, 400, detail),
  invalidData: (detail: string) => make(40013, 400, detail),
  forcedNack: () => make(40099, 400, 'Forced NACK requested by _forceNack'),
  unauthorized: (detail = 'No authentication information provided') => make(40100, 401, detail),
  invalidCredentials: (detail = 'Invalid credentials') => make(40101, 401, detail),
  incompatibleCredentials: (detail: string) => make(40102, 401, detail),
  timestampOutsideWindow: () => make(40104, 401, 'Timestamp not current'),
  nonceReplayed: () => make(40105, 401, 'Nonce value replayed'),
  keyRevoked: (keyName: string) => make(40131, 401, `Key ${keyName} was revoked`),
  tokenError: (detail: string) => make(40140, 401, detail),
  tokenRevoked: () => make(40141, 401, 'Token revoked'),
  tokenExpired: () => make(40142, 401, 'Token expired'),
  tokenUnrecognized: () => make(40143, 401, 'Token not recognised'),
  invalidJwt: (detail: string) => make(40144, 401, `Invalid JWT: ${detail}`),
  capabilityDenied: (operation: string, channel: string) =>
    make(40160, 401, `Action not permitted: ${operation} on channel "${channel}"`),
  capabilityEmpty: () => make(40160, 401, 'Capability is empty after intersection with the key'),
  modeNotGranted: (mode: string, channel: string) =>
    make(40160, 401, `Channel "${channel}" was not attached with the ${mode} mode`),
  pushNotPermitted: (detail: string) => make(40160, 401, `Push action not permitted: ${detail}`),
  invalidDeviceRegistration: (field: string, detail: string) =>
    make(40000, 400, `Invalid device registration: ${field} ${detail}`),
  identifiedClientRequired: (channel: string) =>
    make(40161, 401, `Channel "${channel}" requires an identified client`),
  forbidden: (detail: string) => make(40300, 403, detail),
  notFound: (detail = 'Not found') => make(40400, 404, detail),
  appDeleted: (appId: string) => make(40400, 404, `App ${appId} was deleted`),
  bodyTooLarge: (limit: number) => make(41300, 413, `Request body exceeds ${limit} bytes`),
  invalidNotification: (field: string, detail: string) =>
    make(40000, 400, `Invalid notification: ${field} ${detail}`),
  nudgeLimited: (nextAllowedAt: number) =>
    make(
      42910,
      429,
      `Nudge limit: the next nudge to this recipient is allowed at ${new Date(nextAllowedAt).toISOString()}`,
    ),
  rateLimited: (limit: number) => make(42910, 429, `Rate limit exceeded: over ${limit} messages/s`),
  controlRateLimited: () =>
    make(42910, 429, 'Rate limit exceeded: too many ATTACH or SYNC requests on this connection'),
  internalError: () => make(50000, 500, 'Internal error'),
  storeUnavailable: (detail = 'the history store could not be written') =>
    make(50001, 500, `Message not stored: ${detail}`),
  brokerUnavailable: (detail = 'the cluster broker is unreachable') =>
    make(50002, 503, `Message not accepted: ${detail}`),
  outboundQueueOverflow: (limit: number) =>
    make(80003, 400, `Connection too slow: more than ${limit} bytes waiting to be sent`),
  notReady: (why: string) => make(50300, 503, `Not ready: ${why}`),
  serverDraining: () =>
    make(80003, 503, 'Server shutting down: reconnect, and the connection will resume'),
  connectionExpired: () => make(80008, 400, 'Unable to recover connection (connection expired)'),
  connectionClosed: () => make(80017, 400, 'Connection closed'),
  invalidConnectionKey: () => make(80018, 400, 'Invalid connection key'),
  tooManyChannels: (limit: number) =>
    make(90001, 400, `Too many channels: a connection may attach at most ${limit}`),
  tooManyChannelsInRequest: (limit: number) =>
    make(90010, 400, `Too many channels: a batch request may name at most ${limit}`),
  tooManyChannelsInApp: (limit: number) =>
    make(90021, 429, `Too many channels: an app may have at most ${limit} active channels`),
  presenceWithoutClientId: () => make(91000, 400, 'Cannot enter presence without a clientId'),
  tooManyPresenceMembers: (limit: number) =>
    make(91003, 400, `Too many presence members: at most ${limit} per channel`),
  messageUpdatesNotEnabled: (channel: string) =>
    make(
      93002,
      400,
      `Message updates are not enabled on channel "${channel}" (its namespace needs mutableMessages)`,
    ),
  messageWithoutSerial: () =>
    make(40003, 400, 'An update, delete or append needs the serial of the message'),
} as const;
