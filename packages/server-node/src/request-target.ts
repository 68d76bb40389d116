/** A request target split into its path (still percent-encoded) and its query. */
export interface RequestTarget {
  path: string;
  query: URLSearchParams;
}

/**
 * Splits `req.url` without `new URL()`, which throws on targets such as `//`, `///` or `//[`
 * (it reads them as an authority) and normalises dot segments and backslashes behind our back.
 * Anything but an origin-form target (`/path?query`) is refused with `undefined`: the caller
 * answers 400. URLSearchParams never throws, whatever the query holds.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget | undefined {
  if (!raw || raw[0] !== '/' || raw[1] === '/') return undefined;
  // Node's parser refuses most control characters already; this keeps the rule here explicit.
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return undefined;
  }
  const hash = raw.indexOf('#');
  const target = hash >= 0 ? raw.slice(0, hash) : raw;
  const q = target.indexOf('?');
  return {
    path: q >= 0 ? target.slice(0, q) : target,
    query: new URLSearchParams(q >= 0 ? target.slice(q + 1) : ''),
  };
}

/**
 * The path of a request target without its query, for logs: the query of a connect or REST URL
 * may carry `key=` (with its secret) or `access_token=`, which must never reach a log line.
 */
export function pathForLog(url: string | undefined): string {
  if (url === undefined) return '';
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)).slice(0, 200);
}
