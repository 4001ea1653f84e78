// Content negotiation for the metrics endpoint, following client_golang promhttp with
// prometheus/common expfmt.NegotiateIncludingOpenMetrics (Accept). Accept-Encoding is the server's
// (acceptsGzip in src/server/handler.ts).

import type { ExpositionFormat } from './text';

interface Negotiated {
  format: ExpositionFormat;
  /** the Content-Type response header */
  contentType: string;
}

const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values';

// The name-escaping schemes expfmt accepts in an Accept `escaping=` parameter; anything else is ignored.
const ESCAPING_SCHEMES = new Set(['allow-utf-8', 'underscores', 'dots', 'values']);

interface AcceptClause {
  type: string;
  subType: string;
  q: number;
  params: Map<string, string>;
  /** position in the header, to keep the sort stable */
  pos: number;
}

// goautoneg.ParseAccept: comma-separated media ranges with `;`-separated params, q defaulting to 1.
function parseAccept(header: string): AcceptClause[] {
  const out: AcceptClause[] = [];
  const parts = header.split(',');
  for (let i = 0; i < parts.length; i++) {
    const mrp = parts[i].trim().split(';');
    const sp = mrp[0].split('/');
    const type = sp[0].trim();
    let subType: string;
    if (sp.length === 1 && type === '*') subType = '*';
    else if (sp.length === 2) subType = sp[1].trim();
    else continue;
    const params = new Map<string, string>();
    let q = 1;
    for (let j = 1; j < mrp.length; j++) {
      const eq = mrp[j].indexOf('=');
      if (eq < 0) continue;
      const token = mrp[j].slice(0, eq).trim();
      const value = mrp[j].slice(eq + 1).trim();
      if (token === 'q') {
        // Go's ParseFloat error leaves q at 0.
        const n = Number(value);
        q = value !== '' && Number.isFinite(n) ? n : 0;
      } else {
        params.set(token, value);
      }
    }
    // q=0 means "not acceptable" (RFC 9110 §12.4.2); goautoneg merely sorts it last.
    if (q <= 0) continue;
    out.push({ type, subType, q, params, pos: i });
  }
  // Highest q first, then concrete types before wildcards, then header order.
  out.sort((a, b) => {
    if (a.q !== b.q) return b.q - a.q;
    const wa = (a.type === '*' ? 2 : 0) + (a.subType === '*' ? 1 : 0);
    const wb = (b.type === '*' ? 2 : 0) + (b.subType === '*' ? 1 : 0);
    if (wa !== wb) return wa - wb;
    return a.pos - b.pos;
  });
  return out;
}

/**
 * Chooses the exposition format for an Accept header: the first acceptable clause (by q) that names
 * text/plain (version 0.0.4 or none) or application/openmetrics-text (1.0.0, 0.0.1 or none) wins;
 * anything else falls back to text. Like expfmt, an `escaping=` parameter seen on the way is echoed
 * in the Content-Type (our names are all legacy-valid, so it never changes the body), and
 * OpenMetrics without version 1.0.0 is labelled 0.0.1. Protobuf clauses are skipped: not served.
 */
export function negotiate(accept: string | undefined): Negotiated {
  let escaping = 'values';
  if (accept) {
    for (const ac of parseAccept(accept)) {
      const esc = ac.params.get('escaping');
      if (esc !== undefined && ESCAPING_SCHEMES.has(esc)) escaping = esc;
      const ver = ac.params.get('version') ?? '';
      if (ac.type === 'text' && ac.subType === 'plain' && (ver === '0.0.4' || ver === '')) {
        return { format: 'text', contentType: `text/plain; version=0.0.4; charset=utf-8; escaping=${escaping}` };
      }
      if (
        ac.type === 'application' &&
        ac.subType === 'openmetrics-text' &&
        (ver === '1.0.0' || ver === '0.0.1' || ver === '')
      ) {
        const v = ver === '1.0.0' ? '1.0.0' : '0.0.1';
        return {
          format: 'openmetrics',
          contentType: `application/openmetrics-text; version=${v}; charset=utf-8; escaping=${escaping}`,
        };
      }
    }
  }
  return { format: 'text', contentType: `text/plain; version=0.0.4; charset=utf-8; escaping=${escaping}` };
}
