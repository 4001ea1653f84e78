// Content negotiation for the metrics endpoint, following client_golang promhttp with
// prometheus/common expfmt.NegotiateIncludingOpenMetrics (Accept) and the gddo
// NegotiateContentEncoding that promhttp uses for Accept-Encoding.

import type { ExpositionFormat } from './text';

interface Negotiated {
  format: ExpositionFormat;
  /** the Content-Type response header */
  contentType: string;
}

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values';

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

// RFC 7230 tchar, plus '/' as gddo's expectTokenSlash allows.
function isTokenChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2a || c === 0x2b || c === 0x2d || c === 0x2e ||
    c === 0x5e || c === 0x5f || c === 0x60 || c === 0x7c || c === 0x7e || c === 0x2f
  );
}

interface EncodingSpec {
  value: string;
  q: number;
}

// gddo header.ParseAccept: stops at the first malformed element (as Go does), keeps what came before.
function parseAcceptEncoding(s: string): EncodingSpec[] {
  const specs: EncodingSpec[] = [];
  let i = 0;
  const n = s.length;
  const skipSpace = (): void => {
    while (i < n && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09)) i++;
  };
  for (;;) {
    const start = i;
    while (i < n && isTokenChar(s.charCodeAt(i))) i++;
    if (i === start) return specs;
    const value = s.slice(start, i).toLowerCase();
    let q = 1;
    skipSpace();
    if (s[i] === ';') {
      i++;
      skipSpace();
      if (!s.startsWith('q=', i)) return specs;
      i += 2;
      // expectQuality: "0" or "1", optionally followed by "." and digits.
      const c = s[i];
      if (c === '0') q = 0;
      else if (c === '1') q = 1;
      else return specs;
      i++;
      if (s[i] === '.') {
        i++;
        let num = 0;
        let den = 1;
        while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
          num = num * 10 + (s.charCodeAt(i) - 0x30);
          den *= 10;
          i++;
        }
        q += num / den;
      }
    }
    specs.push({ value, q });
    skipSpace();
    if (s[i] !== ',') return specs;
    i++;
    skipSpace();
  }
}

/**
 * Whether to gzip the response, as promhttp decides it: the offers identity and gzip (in that order)
 * are matched against Accept-Encoding and the strictly highest q wins, earlier offer on ties; `*`
 * matches any offer, and a best q of 0 means no compression. So `gzip` and `gzip, deflate` compress,
 * while `*`, `gzip;q=0`, `gzip, identity` and a missing header do not.
 */
export function wantsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  const specs = parseAcceptEncoding(acceptEncoding);
  let best = 'identity';
  let bestQ = -1;
  for (const offer of ['identity', 'gzip']) {
    for (const spec of specs) {
      if (spec.q > bestQ && (spec.value === '*' || spec.value === offer)) {
        bestQ = spec.q;
        best = offer;
      }
    }
  }
  return bestQ > 0 && best === 'gzip';
}
