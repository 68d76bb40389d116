import type { EngineContext } from '../context.js';
import type { Session } from '../session/session.js';
import type { ConnectionHandle, Transport } from '../session/transport.js';
import { transportLost } from './lifecycle.js';
import { receiveFrame } from './router.js';

/**
 * The handle the host feeds one transport's frames into. One lives per connection for as long as
 * its socket, so its methods are on the prototype rather than two closures per connection.
 */
class SessionHandle implements ConnectionHandle {
  readonly connectionKey: string | undefined;

  constructor(
    private readonly ctx: EngineContext,
    private readonly session: Session | undefined,
    private readonly transport: Transport,
  ) {
    this.connectionKey = session?.key;
  }

  receive(data: Buffer | string): void {
    if (this.session) receiveFrame(this.ctx, this.session, data);
  }

  transportClosed(): void {
    if (this.session) transportLost(this.ctx, this.session, this.transport);
  }
}

/** The handle of a transport opened on `session`, or on nothing when the connection was refused. */
export function createSessionHandle(
  ctx: EngineContext,
  session: Session | undefined,
  transport: Transport,
): ConnectionHandle {
  return new SessionHandle(ctx, session, transport);
}
