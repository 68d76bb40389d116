import type { ErrorInfoShape } from './error-info.js';
import type { Annotation, Message, PresenceMessage } from './message.js';

/** What CONNECTED tells the client about its connection (spec CD2). */
export interface ConnectionDetails {
  connectionKey: string;
  clientId?: string;
  maxMessageSize: number;
  maxFrameSize: number;
  maxInboundRate: number;
  connectionStateTtl: number;
  maxIdleInterval: number;
  serverId: string;
}

/** The result of one published ProtocolMessage, carried in ACK `res` (protocol v5+). */
export interface PublishResult {
  serials: (string | null)[];
}

/** The unit of the realtime protocol (spec TR4). */
export interface ProtocolMessage {
  action: number;
  flags?: number;
  id?: string;
  timestamp?: number;
  count?: number;
  error?: ErrorInfoShape;
  connectionId?: string;
  channel?: string;
  channelSerial?: string;
  msgSerial?: number;
  messages?: Message[];
  presence?: PresenceMessage[];
  annotations?: Annotation[];
  auth?: { accessToken?: string };
  connectionDetails?: ConnectionDetails;
  params?: Record<string, string>;
  res?: PublishResult[];
}
