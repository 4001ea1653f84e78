// Reliability: the HTTP front against malformed requests. Each gets its 4xx (or a closed connection),
// none reaches a scrape it should not, none costs more than its own connection, and a scrape afterwards
// answers. (200 parallel scrapes and 500 idle sockets from one address: reliability-defects.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawExchange, startTestServer } from './server-helpers.test';

const H = 'Host: x\r\n';
/** [name, raw request, expected status line ('' when the server closes without a word)] */
const CORPUS: Array<[string, string | Buffer, string]> = [
  ['not HTTP at all', 'GARBAGE\r\n\r\n', 'HTTP/1.1 400 Bad Request'],
  ['an unknown HTTP version', `GET /metrics HTTP/9.9\r\n${H}\r\n`, 'HTTP/1.1 400 Bad Request'],
  // a request line without a version is answered as HTTP/1.1 (Node's parser): harmless, and a scrape
  ['a request line without a version', 'GET /metrics\r\n\r\n', 'HTTP/1.1 200 OK'],
  ['a header without a colon', `GET /metrics HTTP/1.1\r\nHost x\r\n\r\n`, 'HTTP/1.1 400 Bad Request'],
  ['a NUL in a header value', `GET /metrics HTTP/1.1\r\n${H}X-A: a\0b\r\n\r\n`, 'HTTP/1.1 400 Bad Request'],
  ['Content-Length with Transfer-Encoding (smuggling)', `GET /metrics HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 'HTTP/1.1 400 Bad Request'],
  ['two Content-Lengths', `GET /metrics HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\n`, 'HTTP/1.1 400 Bad Request'],
  ['a GET with a body', `GET /metrics HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\n0123456789`, 'HTTP/1.1 413 Payload Too Large'],
  ['a chunked GET', `GET /metrics HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\n`, 'HTTP/1.1 413 Payload Too Large'],
  ['a POST to the metrics', `POST /metrics HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc`, 'HTTP/1.1 405 Method Not Allowed'],
  ['OPTIONS *', `OPTIONS * HTTP/1.1\r\n${H}\r\n`, 'HTTP/1.1 405 Method Not Allowed'],
  ['CONNECT', `CONNECT 127.0.0.1:22 HTTP/1.1\r\n${H}\r\n`, ''],
  ['a bad percent escape', `GET /%zz HTTP/1.1\r\n${H}\r\n`, 'HTTP/1.1 400 Bad Request'],
  ['bytes that are not UTF-8 in the path', Buffer.concat([Buffer.from('GET /\xff\xfe HTTP/1.1\r\n', 'latin1'), Buffer.from(`${H}\r\n`)]), 'HTTP/1.1 400 Bad Request'],
  ['a path climbing out of the root', `GET /../../etc/passwd HTTP/1.1\r\n${H}\r\n`, 'HTTP/1.1 301 Moved Permanently'],
  ['a 20 kB URL', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\n${H}\r\n`, 'HTTP/1.1 431 Request Header Fields Too Large'],
  ['5,000 headers', `GET /metrics HTTP/1.1\r\n${H}${'X-A: b\r\n'.repeat(5000)}\r\n`, 'HTTP/1.1 431 Request Header Fields Too Large'],
  ['a TLS hello on the plain port', Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]), 'HTTP/1.1 400 Bad Request'],
  ['an absolute URL', `GET http://elsewhere/metrics HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, 'HTTP/1.1 200 OK'],
  ['Expect: 100-continue without a body', `GET /metrics HTTP/1.1\r\n${H}Expect: 100-continue\r\nConnection: close\r\n\r\n`, 'HTTP/1.1 200 OK'],
];

test('reliability: malformed requests get their 4xx and cost nothing else', async () => {
  const ts = await startTestServer();
  try {
    const got: string[] = [];
    for (const [, raw] of CORPUS) {
      const answer = await rawExchange(ts.server.port, raw, 2000);
      got.push(answer === '' ? '' : answer.slice(0, answer.indexOf('\r\n')));
    }
    assert.deepEqual(
      CORPUS.map(([name], i) => `${name}: ${got[i]}`),
      CORPUS.map(([name, , want]) => `${name}: ${want}`),
    );
    // only the three well-formed ones reached a scrape
    assert.equal(ts.scrapes, 3);
    const ok = await rawExchange(ts.server.port, `GET /metrics HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    assert.match(ok, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nup 1\n$/);
    assert.deepEqual(ts.log.lines.filter((l) => /level=error/.test(l)), []);
  } finally {
    await ts.server.close();
  }
});
