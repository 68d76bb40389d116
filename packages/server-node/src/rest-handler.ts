import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricsEndpoint } from './metrics.js';
import { serveDashboard, type DashboardOptions } from './dashboard-route.js';
import { Errors, type ErrorInfo } from '@switchboard/protocol';
import type { Engine, Logger, RestRequest, RestResponse } from '@switchboard/server';
import { parseRequestTarget, pathForLog } from './request-target.js';
import { isSseRequest, serveSse } from './sse-route.js';

const CORS_HEADERS =
  'authorization,content-type,accept,x-ably-version,ably-agent,x-ably-clientid,x-ably-lib,x-switchboard-admin-secret';
const EXPOSE_HEADERS = 'link,x-ably-errorcode,x-ably-errormessage,x-ably-serverid';

/** CORS headers for a response to `origin`, if the allow-list admits it. */
export function corsHeaders(origin: string | undefined, allowed: string[]): Record<string, string> {
  if (!origin) return {};
  if (!allowed.includes('*') && !allowed.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': EXPOSE_HEADERS,
    vary: 'Origin',
  };
}

/** An Ably error response built by the host itself, before the engine sees the request. */
function errorResponse(error: ErrorInfo): RestResponse {
  return {
    status: error.statusCode,
    headers: {
      'content-type': 'application/json',
      'x-ably-errorcode': String(error.code),
      'x-ably-errormessage': error.message,
    },
    body: Buffer.from(JSON.stringify({ error: error.toJSON() })),
  };
}

/** The client went away before its request body was complete: nothing to answer, no fault. */
class RequestAborted extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (err) => reject(new RequestAborted(String(err))));
  });
}

async function respondTo(
  engine: Engine,
  corsOrigins: string[],
  req: IncomingMessage,
  res: ServerResponse,
  metrics: MetricsEndpoint | undefined,
  dashboard: DashboardOptions | undefined,
): Promise<void> {
  const cors = corsHeaders(req.headers.origin, corsOrigins);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      ...cors,
      'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? CORS_HEADERS,
      'access-control-max-age': '86400',
    });
    res.end();
    return;
  }
  const target = parseRequestTarget(req.url);
  if (metrics && req.method === 'GET' && target?.path === '/metrics') {
    const text = await metrics.render();
    res.writeHead(200, {
      'content-type': metrics.contentType,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
    return;
  }
  if (target && isSseRequest(req, target)) {
    serveSse(engine, cors, target, req, res);
    return;
  }
  if (dashboard && target && (await serveDashboard(engine, dashboard, target.path, req, res)))
    return;
  let response: RestResponse;
  const body = await readBody(req, engine.limits.maxFrameSize);
  if (!target) response = errorResponse(Errors.badRequest('Malformed request target'));
  else if (body === undefined)
    response = errorResponse(Errors.bodyTooLarge(engine.limits.maxFrameSize));
  else {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers))
      headers[k] = Array.isArray(v) ? v.join(',') : v;
    const restReq: RestRequest = {
      method: req.method ?? 'GET',
      path: target.path,
      query: target.query,
      headers,
      body,
    };
    response = await engine.handleRest(restReq);
  }
  res.writeHead(response.status, {
    ...cors,
    ...response.headers,
    'content-length': String(response.body.length),
  });
  res.end(response.body);
}

/**
 * Serves one REST request. Whatever escapes (a bug in a handler, a header Node refuses to
 * write) is logged and answered 500 if nothing was sent yet, and never reaches the process.
 */
export function serveRest(
  engine: Engine,
  corsOrigins: string[],
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  metrics?: MetricsEndpoint,
  dashboard?: DashboardOptions,
): void {
  respondTo(engine, corsOrigins, req, res, metrics, dashboard).catch((err: unknown) => {
    if (err instanceof RequestAborted) {
      // Found by `npm run fuzz`: an ordinary event on a network, logged as a server error.
      logger.debug('client went away mid-request', {
        method: req.method,
        path: pathForLog(req.url),
      });
      res.destroy();
      return;
    }
    logger.error('REST request failed in the host', {
      method: req.method,
      path: pathForLog(req.url),
      error: String(err),
    });
    try {
      if (!res.headersSent) {
        const { status, headers, body } = errorResponse(Errors.internalError());
        res.writeHead(status, headers);
        res.end(body);
      } else res.destroy();
    } catch {
      res.destroy();
    }
  });
}
