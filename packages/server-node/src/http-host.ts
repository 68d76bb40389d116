import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Engine, type Logger } from '@switchboard/server';
import { createCometRoutes } from './comet-routes.js';
import type { DashboardOptions } from './dashboard-route.js';
import type { MetricsEndpoint } from './metrics.js';
import { guardServer, serverOptions } from './request-guard.js';
import { serveRest } from './rest-handler.js';
import { createUpgradeHandler } from './upgrade.js';

/** Options for the HTTP + WebSocket listener. */
export interface HostOptions {
  engine: Engine;
  port: number;
  /** Address to bind; all interfaces when absent. */
  host?: string;
  /** Origins allowed by CORS; `*` allows any. */
  corsOrigins: string[];
  /** Where the host reports what it refused or what escaped a handler; silent by default. */
  logger?: Logger;
  /** Serves `GET /metrics` (Prometheus text) when given. */
  metrics?: MetricsEndpoint;
  /** Serves the operator dashboard at `/dashboard` when given. */
  dashboard?: DashboardOptions;
}

/** The listening host: one port serves REST, comet and the WebSocket upgrade, as ably-js expects. */
export interface Host {
  readonly port: number;
  /** The address actually bound (`127.0.0.1`, `::`, …), as the OS reports it. */
  readonly address: string;
  readonly server: Server;
  /** Stops taking new connections (a drain); what is open stays until `close`. */
  stopAccepting(): void;
  close(): Promise<void>;
}

/** Starts listening; resolves once the port is bound (port 0 picks a free one). */
export function startHost(options: HostOptions): Promise<Host> {
  const { engine } = options;
  const logger = options.logger ?? silentLogger;
  const comet = createCometRoutes(engine, options.corsOrigins, logger);
  const server = createServer(serverOptions(engine.limits), (req, res) => {
    if (comet.serve(req, res)) return;
    serveRest(engine, options.corsOrigins, logger, req, res, options.metrics, options.dashboard);
  });
  guardServer(server, engine.limits, logger);
  const upgrades = createUpgradeHandler(engine, logger);
  server.on('upgrade', (req, socket, head: Buffer) => upgrades.handle(req, socket, head));
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      // From here on a server error (accept failing for want of file descriptors) is logged:
      // without a listener it would be an unhandled 'error' event and end the process.
      server.on('error', (err) => logger.warn('HTTP server error', { error: String(err) }));
      const bound = server.address() as AddressInfo;
      let closed: Promise<void> | undefined;
      const stopListening = (): Promise<void> =>
        (closed ??= new Promise<void>((done) => server.close(() => done())));
      resolve({
        port: bound.port,
        address: bound.address,
        server,
        stopAccepting() {
          void stopListening();
          server.closeIdleConnections();
        },
        async close() {
          upgrades.close();
          comet.close();
          server.closeAllConnections();
          await stopListening();
        },
      });
    });
  });
}
