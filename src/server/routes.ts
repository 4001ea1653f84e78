// What the server and the routes served beside the telemetry path share: the request a route sees, the
// response it gives, and the Node request listener the connection layer hands requests to.
import type * as http from 'node:http';

export interface ScrapeResponse {
  body: string | Buffer;
  contentType: string;
}

/** What a route sees of a request (after auth, path cleaning and the method check). */
export interface RouteRequest {
  method: string;
  pathname: string;
  /** the raw query string, with its leading '?', or '' */
  query: string;
  headers: http.IncomingHttpHeaders;
}

export interface RouteResponse {
  status: number;
  body: string | Buffer;
  contentType: string;
  headers?: Record<string, string>;
}

/**
 * A path served beside the telemetry path (health, reload, the page and its data). Routes run under the
 * same web config (TLS, basic auth, headers, rate limit) as /metrics; a request body is never read.
 */
export interface Route {
  /** exact path, or with prefix: every path below it */
  path: string;
  prefix?: boolean;
  /** methods it answers; others get 405 with an Allow header */
  methods: readonly string[];
  handle(req: RouteRequest): Promise<RouteResponse>;
}

/** Node's 'request' listener, as the request handler gives it to the connection layer. */
export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
