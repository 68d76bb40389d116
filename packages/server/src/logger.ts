/**
 * A place for the engine to say what happened; the host decides where it goes (pino in
 * server-node). Fields are flat, JSON-safe and never carry a key secret, a token, the admin
 * secret, the secret part of a connection key or a message's name, data or extras.
 */
export interface Logger {
  /** Detail an operator turns on to follow one problem (transports dropping, say). */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Lifecycle: connections opened, resumed and closed, apps created and deleted, drains. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** A client refused (auth failure, limit hit) or a recoverable fault (a store write retried). */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** A fault of the server's own: a handler threw, a request ended in a 5xx. */
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything: the engine's default when the host passes none. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
