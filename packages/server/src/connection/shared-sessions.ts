import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthContext } from '../auth/authenticate.js';
import type { ConnectionTable } from '../session/connection-table.js';
import type { Session } from '../session/session.js';
import type { Logger } from '../logger.js';
import type { SessionDirectory, SharedSession } from '../ports/broker.js';

/**
 * Keeps the cluster's record of this node's connections, so a client whose node died resumes on
 * another node with the same connection id (RTN15c6). A record is written when a connection
 * opens or resumes (its key changes) and all are refreshed together a few times per
 * connectionStateTtl: nothing is written per message.
 */
export interface SessionSharing {
  /** The connection's key changed (it opened or resumed): record it now. */
  saved(session: Session): void;
  /** The connection ended: its record goes. */
  forget(session: Session): void;
  /** The record a resume key names, when this node does not know the key. */
  lookup(resumeKey: string): Promise<SharedSession | undefined>;
  /** Whether the record may be resumed with this key by this identity. */
  admits(record: SharedSession, resumeKey: string, auth: AuthContext): boolean;
  /** Tells the other nodes this one holds the connection now. */
  takeOver(session: Session): void;
  stop(): void;
}

const hashOf = (key: string): string => createHash('sha256').update(key).digest('hex');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface SessionSharingOptions {
  directory: SessionDirectory;
  nodeId: string;
  connections: ConnectionTable;
  ttlMs: number;
  logger: Logger;
  /** Another node resumed this connection: drop this node's copy without its members leaving. */
  onTakenOver(session: Session): void;
}

export function startSessionSharing(options: SessionSharingOptions): SessionSharing {
  const { directory, connections, logger } = options;
  // Refreshed three times per TTL, so a record outlives its last refresh by at least a TTL.
  const refreshMs = Math.max(1000, Math.floor(options.ttlMs / 3));
  const ttlMs = options.ttlMs + refreshMs;
  const recordOf = (s: Session): SharedSession => {
    const record: SharedSession = {
      id: s.id,
      keyHashes: [s.key, ...(s.knownKey !== undefined ? [s.knownKey] : [])].map(hashOf),
      appId: s.auth.app.record.id,
      nodeId: options.nodeId,
    };
    if (s.auth.clientId !== undefined) record.clientId = s.auth.clientId;
    return record;
  };
  // A failed write only means a resume elsewhere starts a new connection (80018), as before.
  const failed = (err: unknown): void =>
    logger.warn('connection record not written to the broker', { error: String(err) });
  const refresh = setInterval(() => {
    directory.save([...connections.all()].map(recordOf), ttlMs).catch(failed);
  }, refreshMs);
  refresh.unref();
  directory.onTakenOver((connectionId, byNode) => {
    const session = connections.byId(connectionId);
    if (!session) return;
    logger.info('connection moved to another node', { connectionId, toNode: byNode });
    options.onTakenOver(session);
  });
  return {
    saved(session) {
      directory.save([recordOf(session)], ttlMs).catch(failed);
    },
    forget(session) {
      directory.remove(session.id).catch(() => {});
    },
    async lookup(resumeKey) {
      const bang = resumeKey.indexOf('!');
      if (bang <= 0) return undefined;
      try {
        return await directory.load(resumeKey.slice(0, bang));
      } catch (err) {
        logger.warn('connection record not read from the broker', { error: String(err) });
        return undefined;
      }
    },
    admits(record, resumeKey, auth) {
      const presented = hashOf(resumeKey);
      // A connection key is bound to its app and clientId: another identity cannot take it over.
      return (
        record.keyHashes.some((h) => sameHash(h, presented)) &&
        record.appId === auth.app.record.id &&
        record.clientId === auth.clientId
      );
    },
    takeOver(session) {
      directory.takeOver(session.id).catch(failed);
    },
    stop: () => clearInterval(refresh),
  };
}
