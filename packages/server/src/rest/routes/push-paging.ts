import { Errors } from '@switchboard/protocol';
import type { RestRequest } from '../http.js';

/** The `limit` of a push listing: default 100, 1 to `max`, else 40003 naming it. */
export function pageLimit(req: RestRequest, max: number): number {
  const raw = req.query.get('limit');
  if (raw === null || raw === '') return Math.min(100, max);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw Errors.invalidParameter(`limit must be an integer from 1 to ${max}`);
  return n;
}
