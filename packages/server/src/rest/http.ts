/** A REST request as the host hands it over: already read, size-limited body. */
export interface RestRequest {
  method: string;
  /** Path without the query, percent-encoded as received. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** A REST response, fully encoded. */
export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}
