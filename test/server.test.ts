import assert from 'node:assert/strict';
import * as bcrypt from 'bcryptjs';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { Agent, request } from 'undici';
import { acceptsGzip, cleanPath, landingPage } from '../src/server';
import { BasicAuth } from '../src/server/auth';
import { RateLimiter } from '../src/server/limits';
import { basic, deadline, rawExchange, sleep, startTestServer, tmpDir } from './server-helpers.test';

const LANDING =
  '<html>\n\t\t\t<head><title>Named Process Exporter</title></head>\n\t\t\t<body>\n\t\t\t<h1>Named Process Exporter</h1>\n\t\t\t<p><a href="/metrics">Metrics</a></p>\n\t\t\t</body>\n\t\t\t</html>';

async function get(url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' = 'GET') {
  const r = await request(url, { method, headers });
  const body = Buffer.from(await r.body.arrayBuffer());
  return { status: r.statusCode, headers: r.headers, body, text: body.toString('utf8') };
}

describe('server: routes (docs/behaviour.md#http, docs/behaviour.md differences #18)', () => {
  it('serves the landing page at / with the reference body', async () => {
    const ts = await startTestServer();
    try {
      const r = await get(ts.url + '/');
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(r.text, LANDING);
      assert.equal(landingPage('/metrics'), LANDING);
      const h = await get(ts.url + '/', {}, 'HEAD');
      assert.equal(h.status, 200);
      assert.equal(h.body.length, 0);
    } finally {
      await ts.server.close();
    }
  });

  it('serves metrics on GET and HEAD with the scrape content type', async () => {
    const ts = await startTestServer();
    try {
      const r = await get(ts.url + '/metrics');
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      assert.equal(r.text, 'up 1\n');
      const h = await get(ts.url + '/metrics', {}, 'HEAD');
      assert.equal(h.status, 200);
      assert.equal(h.body.length, 0);
      assert.equal(ts.scrapes, 2);
    } finally {
      await ts.server.close();
    }
  });

  it('passes Accept to scrape() and gzips when Accept-Encoding allows', async () => {
    let accept: string | undefined;
    const body = 'metric_a 1\n'.repeat(1000);
    const ts = await startTestServer({
      scrape: async (req) => {
        accept = req.accept;
        return { body, contentType: 'text/plain; version=0.0.4; charset=utf-8' };
      },
    });
    try {
      const r = await get(ts.url + '/metrics', { 'accept-encoding': 'gzip', accept: 'application/openmetrics-text' });
      assert.equal(accept, 'application/openmetrics-text');
      assert.equal(r.headers['content-encoding'], 'gzip');
      assert.equal(zlib.gunzipSync(r.body).toString(), body);
      assert.ok(r.body.length < body.length / 10);
      const plain = await get(ts.url + '/metrics', { 'accept-encoding': 'gzip;q=0, deflate' });
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.text, body);
    } finally {
      await ts.server.close();
    }
  });

  it('answers other paths with 404 and other methods with 405', async () => {
    const ts = await startTestServer();
    try {
      for (const p of ['/anything', '/metrics/', '/debug/pprof/', '/metricsx']) {
        const r = await get(ts.url + p);
        assert.equal(r.status, 404, p);
        assert.equal(r.text, '404 page not found\n');
        assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
        assert.equal(r.headers['x-content-type-options'], 'nosniff');
      }
      for (const m of ['POST', 'PUT', 'DELETE'] as const) {
        const r = await get(ts.url + '/metrics', {}, m);
        assert.equal(r.status, 405, m);
        assert.equal(r.headers.allow, 'GET, HEAD');
      }
      const opt = await rawExchange(ts.server.port, 'OPTIONS /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(opt, /^HTTP\/1\.1 405 /);
      assert.match(opt, /Allow: GET, HEAD/);
      assert.equal(ts.scrapes, 0);
    } finally {
      await ts.server.close();
    }
  });

  it('refuses a request body with 413, without reading it or sending 100 Continue', async () => {
    const ts = await startTestServer();
    try {
      const r = await rawExchange(ts.server.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
      assert.match(r, /^HTTP\/1\.1 413 /);
      assert.match(r, /Connection: close/i);
      const chunked = await rawExchange(ts.server.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
      assert.match(chunked, /^HTTP\/1\.1 413 /);
      const cont = await rawExchange(ts.server.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n');
      assert.match(cont, /^HTTP\/1\.1 413 /);
      assert.doesNotMatch(cont, /100 Continue/);
      assert.equal(ts.scrapes, 0);
    } finally {
      await ts.server.close();
    }
  });

  it('treats a telemetry path ending in / as a subtree, like Go’s ServeMux', async () => {
    const ts = await startTestServer({ telemetryPath: '/x/' });
    try {
      assert.equal((await get(ts.url + '/x/')).text, 'up 1\n');
      assert.equal((await get(ts.url + '/x/abc')).text, 'up 1\n');
      const red = await get(ts.url + '/x?a=1');
      assert.equal(red.status, 301);
      assert.equal(red.headers.location, '/x/?a=1');
      assert.match((await get(ts.url + '/')).text, /<a href="\/x\/">Metrics<\/a>/);
    } finally {
      await ts.server.close();
    }
  });

  it('redirects unclean paths to their clean form', async () => {
    const ts = await startTestServer();
    try {
      const r = await rawExchange(ts.server.port, 'GET /a/../metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.match(r, /^HTTP\/1\.1 301 /);
      assert.match(r, /Location: \/metrics\r\n/);
      assert.equal(cleanPath('//metrics/./'), '/metrics/');
      assert.equal(cleanPath('/..'), '/');
      const odd = await rawExchange(ts.server.port, 'GET /x/..//%C3%A9%0D%0A%3F HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.match(odd, /^HTTP\/1\.1 301 /);
      assert.match(odd, /Location: \/%C3%A9%0D%0A%3F\r\n/);
      const enc = await get(ts.url + '/%6detrics');
      assert.equal(enc.text, 'up 1\n');
    } finally {
      await ts.server.close();
    }
  });

  it('answers 500 with a short text when scrape() fails, and logs the error', async () => {
    const ts = await startTestServer({
      scrape: async () => {
        throw new Error('procfs went away');
      },
    });
    try {
      const r = await get(ts.url + '/metrics');
      assert.equal(r.status, 500);
      assert.equal(r.text, 'An error has occurred while serving metrics.\n');
      assert.doesNotMatch(r.text, /procfs|at .*\.js/);
      assert.ok(ts.log.lines.some((l) => l.includes('level=error') && l.includes('procfs went away')), ts.log.lines.join('\n'));
    } finally {
      await ts.server.close();
    }
  });

  it('accepts gzip only when allowed', () => {
    assert.equal(acceptsGzip(undefined), false);
    assert.equal(acceptsGzip('gzip'), true);
    assert.equal(acceptsGzip('deflate, gzip;q=0.5'), true);
    assert.equal(acceptsGzip('gzip;q=0'), false);
    assert.equal(acceptsGzip('*'), true);
    assert.equal(acceptsGzip('*, gzip;q=0'), false);
    assert.equal(acceptsGzip('identity'), false);
  });
});

describe('server: extra routes', () => {
  it('serves a route for its methods, 405 with Allow for others, and keeps 404 and the landing page', async () => {
    const seen: string[] = [];
    const ts = await startTestServer({
      routes: [
        { path: '/-/healthy', methods: ['GET', 'HEAD'], handle: async () => ({ status: 200, body: 'OK\n', contentType: 'text/plain; charset=utf-8' }) },
        {
          path: '/-/do',
          methods: ['POST'],
          handle: async (req) => {
            seen.push(`${req.method} ${req.pathname}${req.query}`);
            return { status: 202, body: 'done\n', contentType: 'text/plain; charset=utf-8', headers: { 'X-Done': '1' } };
          },
        },
        { path: '/api/', prefix: true, methods: ['GET'], handle: async (req) => ({ status: 200, body: JSON.stringify({ p: req.pathname }), contentType: 'application/json' }) },
      ],
    });
    try {
      const h = await get(ts.url + '/-/healthy');
      assert.deepEqual([h.status, h.text, h.headers['content-type']], [200, 'OK\n', 'text/plain; charset=utf-8']);
      const head = await get(ts.url + '/-/healthy', {}, 'HEAD');
      assert.deepEqual([head.status, head.body.length], [200, 0]);
      const p = await get(ts.url + '/-/do?x=1', {}, 'POST');
      assert.deepEqual([p.status, p.text, p.headers['x-done']], [202, 'done\n', '1']);
      assert.deepEqual(seen, ['POST /-/do?x=1']);
      const g = await get(ts.url + '/-/do');
      assert.deepEqual([g.status, g.headers.allow], [405, 'POST']);
      const ph = await get(ts.url + '/-/healthy', {}, 'POST');
      assert.deepEqual([ph.status, ph.headers.allow], [405, 'GET, HEAD']);
      const pm = await get(ts.url + '/metrics', {}, 'POST');
      assert.equal(pm.status, 405);
      const put = await get(ts.url + '/-/do', {}, 'PUT');
      assert.equal(put.status, 405);
      const api = await get(ts.url + '/api/groups');
      assert.deepEqual(JSON.parse(api.text), { p: '/api/groups' });
      assert.equal((await get(ts.url + '/nope')).status, 404);
      assert.equal((await get(ts.url + '/')).text, LANDING);
    } finally {
      await ts.server.close();
    }
  });

  it('puts routes behind basic auth like /metrics', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'web.yml');
    fs.writeFileSync(file, `basic_auth_users:\n  alice: ${bcrypt.hashSync('secret', 4)}\n`);
    const ts = await startTestServer({
      webConfigFile: file,
      routes: [{ path: '/-/healthy', methods: ['GET'], handle: async () => ({ status: 200, body: 'OK\n', contentType: 'text/plain' }) }],
    });
    try {
      assert.equal((await get(ts.url + '/-/healthy')).status, 401);
      assert.equal((await get(ts.url + '/-/healthy', { authorization: basic('alice', 'secret') })).status, 200);
    } finally {
      await ts.server.close();
    }
  });
});

describe('server: start, logs and shutdown', () => {
  it('logs the listen address and that TLS is disabled', async () => {
    const ts = await startTestServer();
    await ts.server.close();
    assert.equal(ts.server.address, `127.0.0.1:${ts.server.port}`);
    assert.deepEqual(ts.log.lines, [
      `level=info msg="Listening on" address=127.0.0.1:${ts.server.port}`,
      `level=info msg="TLS is disabled." http2=false address=127.0.0.1:${ts.server.port}`,
    ]);
  });

  it('rejects a telemetry path that clashes, and reports listen errors like Go', async () => {
    await assert.rejects(startTestServer({ telemetryPath: '/' }), /-web.telemetry-path "\/" clashes with the landing page/);
    await assert.rejects(startTestServer({ telemetryPath: 'metrics' }), /must start with "\/"/);
    const ts = await startTestServer();
    try {
      await assert.rejects(startTestServer({ listenAddress: `127.0.0.1:${ts.server.port}` }), {
        message: `listen tcp 127.0.0.1:${ts.server.port}: bind: address already in use`,
      });
    } finally {
      await ts.server.close();
    }
    await assert.rejects(startTestServer({ listenAddress: '127.0.0.1' }), { message: 'listen tcp: address 127.0.0.1: missing port in address' });
    await assert.rejects(startTestServer({ listenAddress: 'host.invalid:9256' }), { message: 'listen tcp: lookup host.invalid: no such host' });
  });

  it('listens on all addresses for ":port" and prints it like Go', async () => {
    const ts = await startTestServer({ listenAddress: ':0' });
    try {
      assert.match(ts.server.address, /^(\[::\]|0\.0\.0\.0):\d+$/);
      assert.equal((await get(`http://127.0.0.1:${ts.server.port}/metrics`)).status, 200);
    } finally {
      await ts.server.close();
    }
  });

  it('close() lets an in-flight scrape finish, then resolves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ts = await startTestServer({
      scrape: async () => {
        await gate;
        return { body: 'late 1\n', contentType: 'text/plain' };
      },
    });
    const pending = get(ts.url + '/metrics');
    await sleep(100);
    const closed = ts.server.close();
    await sleep(100);
    release();
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.text, 'late 1\n');
    assert.equal(r.headers.connection, 'close');
    await closed;
    await assert.rejects(get(ts.url + '/metrics'));
  });
});

function writeConfig(dir: string, text: string): string {
  const p = path.join(dir, 'web.yml');
  // Write then rename, so a reader never sees half a file.
  fs.writeFileSync(p + '.tmp', text);
  fs.renameSync(p + '.tmp', p);
  return p;
}

describe('server: basic auth and headers from the web config', () => {
  const hashOf = (pw: string, cost = 4, prefix = '$2y$') => prefix + bcrypt.hashSync(pw, cost).slice(4);

  it('answers 401 with WWW-Authenticate for every kind of bad credentials, and adds the headers', async () => {
    const dir = tmpDir();
    const file = writeConfig(
      dir,
      `basic_auth_users:\n  alice: ${hashOf('secret', 4, '$2y$')}\n  bob: ${hashOf('hunter2', 4, '$2a$')}\n  carol: ${hashOf('pw', 4, '$2b$')}\n` +
        'http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Content-Security-Policy: "default-src \'self\'"\n' +
        'basic_auth_excluded_paths:\n  - /\n',
    );
    const ts = await startTestServer({ webConfigFile: file });
    try {
      const bad: [string, Record<string, string>][] = [
        ['no header', {}],
        ['wrong password', { authorization: basic('alice', 'wrong') }],
        ['unknown user', { authorization: basic('mallory', 'secret') }],
        ['empty user', { authorization: basic('', 'secret') }],
        ['not base64', { authorization: 'Basic %%%' }],
        ['no colon', { authorization: 'Basic ' + Buffer.from('alice').toString('base64') }],
        ['other scheme', { authorization: 'Bearer abc' }],
        ['bare scheme', { authorization: 'Basic' }],
      ];
      for (const [name, h] of bad) {
        const r = await get(ts.url + '/metrics', h);
        assert.equal(r.status, 401, name);
        assert.equal(r.headers['www-authenticate'], 'Basic', name);
        assert.equal(r.text, 'Unauthorized\n', name);
        assert.equal(r.headers['x-frame-options'], 'deny', name);
        assert.equal(r.headers['content-security-policy'], "default-src 'self'", name);
      }
      for (const [u, p] of [['alice', 'secret'], ['bob', 'hunter2'], ['carol', 'pw']]) {
        const ok = await get(ts.url + '/metrics', { authorization: basic(u, p) });
        assert.equal(ok.status, 200, u);
        assert.equal(ok.headers['x-frame-options'], 'deny');
      }
      assert.equal((await get(ts.url + '/metrics', { authorization: 'basic ' + Buffer.from('alice:secret').toString('base64') })).status, 200);
      // "/" is excluded from auth; a 404 still needs credentials and carries the headers.
      assert.equal((await get(ts.url + '/')).status, 200);
      const nf = await get(ts.url + '/nope');
      assert.equal(nf.status, 401);
      assert.equal(nf.headers['x-frame-options'], 'deny');
      assert.equal(ts.scrapes, 3 + 1);
    } finally {
      await ts.server.close();
    }
  });

  it('caches successful checks, never failed ones, and runs one bcrypt at a time', async () => {
    const auth = new BasicAuth();
    const users = new Map([['alice', bcrypt.hashSync('secret', 4)]]);
    assert.equal(await auth.check(basic('alice', 'secret'), users), 'ok');
    assert.equal(await auth.check(basic('alice', 'secret'), users), 'ok');
    assert.equal(auth.bcryptRuns, 1);
    assert.equal(await auth.check(basic('alice', 'nope'), users), 'denied');
    assert.equal(await auth.check(basic('alice', 'nope'), users), 'denied');
    assert.equal(auth.bcryptRuns, 3);
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => auth.check(basic(i % 2 ? 'alice' : 'eve', `guess${i}`), users)));
    assert.deepEqual(results, Array(6).fill('denied'));
    assert.equal(auth.bcryptPeak, 1);
    // A changed hash for the same user is checked again.
    const changed = new Map([['alice', bcrypt.hashSync('secret', 4)]]);
    assert.equal(await auth.check(basic('alice', 'secret'), changed), 'ok');
    assert.equal(auth.bcryptRuns, 10);
  });

  // The bcrypt comparisons BasicAuth asks for, as [password, hash] pairs; every comparison answers `match`.
  const comparisons = async (header: string | undefined, users: Map<string, string>, match: boolean) => {
    const lib = require('bcryptjs') as typeof bcrypt; // the module object BasicAuth loads
    const real = lib.compare;
    const seen: Array<[string, string]> = [];
    lib.compare = (async (pw: string, hash: string) => {
      seen.push([pw, hash]);
      return match;
    }) as typeof lib.compare;
    try {
      return { result: await new BasicAuth().check(header, users), seen };
    } finally {
      lib.compare = real;
    }
  };

  it('parses Authorization like Go’s Request.BasicAuth', async () => {
    const users = new Map([['a', '$2b$04$' + 'x'.repeat(53)]]);
    const hash = users.get('a')!;
    assert.deepEqual(await comparisons(basic('a', 'b:c'), users, true), { result: 'ok', seen: [['b:c', hash]] });
    assert.deepEqual(await comparisons('BASIC ' + Buffer.from('a:').toString('base64'), users, true), { result: 'ok', seen: [['', hash]] });
    // not parsed: denied before any bcrypt
    assert.deepEqual(await comparisons('Basic YQ', users, true), { result: 'denied', seen: [] }); // missing padding
    assert.deepEqual(await comparisons('Basic /w==', users, true), { result: 'denied', seen: [] }); // not UTF-8
    assert.deepEqual(await comparisons('Basic ' + Buffer.from('a').toString('base64'), users, true), { result: 'denied', seen: [] }); // no colon
    assert.deepEqual(await comparisons(undefined, users, true), { result: 'denied', seen: [] });
  });

  it('checks an unknown user against a dummy hash of the users\' most common cost (ties: the higher), and never lets it in', async () => {
    const h = (cost: string) => `$2b$${cost}$` + 'x'.repeat(53);
    const dummy = (cost: string) => `$2b$${cost}$namedprocessexporterAuDummyHashForUnknownUsersNoMatch`;
    const unknown = async (users: Map<string, string>) => {
      const { result, seen } = await comparisons(basic('nobody', 'pw'), users, true);
      assert.equal(result, 'denied', 'even when bcrypt says the password matches');
      return seen;
    };
    assert.deepEqual(await unknown(new Map([['a', h('08')], ['b', h('08')], ['c', h('12')]])), [['pw', dummy('08')]]);
    assert.deepEqual(await unknown(new Map([['a', h('05')], ['b', h('11')]])), [['pw', dummy('11')]]);
    assert.deepEqual(await unknown(new Map()), [['pw', dummy('10')]]);
  });

  it('makes an unknown user pay one bcrypt at the users\' cost, like a known one (timing reported, not asserted)', async (t) => {
    const cost = 8;
    const users = new Map([
      ['alice', hashOf('secret', cost)],
      ['bob', hashOf('other', cost)],
    ]);
    const auth = new BasicAuth();
    const time = async (user: string): Promise<number> => {
      const before = auth.bcryptRuns;
      const start = process.hrtime.bigint();
      assert.equal(await auth.check(basic(user, 'wrong-password'), users), 'denied');
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      // the behaviour that makes the timing equal: exactly one bcrypt for known and unknown users
      assert.equal(auth.bcryptRuns, before + 1, `one bcrypt for ${user}`);
      return ms;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 20; i++) {
      known.push(await time(i % 2 ? 'alice' : 'bob'));
      unknown.push(await time(`nobody${i}`));
    }
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    t.diagnostic(`bcrypt cost ${cost}, 20 tries each: known user median ${median(known).toFixed(2)} ms, unknown user median ${median(unknown).toFixed(2)} ms`);
  });

  it('re-reads a changed web config, and keeps the last good one when the file turns bad', async () => {
    const dir = tmpDir();
    const file = writeConfig(dir, 'http_server_config:\n  headers:\n    X-Frame-Options: deny\n');
    const ts = await startTestServer({ webConfigFile: file });
    try {
      assert.equal((await get(ts.url + '/metrics')).headers['x-frame-options'], 'deny');
      writeConfig(dir, 'http_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n');
      assert.equal((await get(ts.url + '/metrics')).headers['x-frame-options'], 'sameorigin');
      writeConfig(dir, 'http_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n  bogus: 1\n');
      const r = await get(ts.url + '/metrics');
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-frame-options'], 'sameorigin');
      await get(ts.url + '/metrics');
      const complaints = ts.log.lines.filter((l) => l.includes('keeping the last good one'));
      assert.equal(complaints.length, 1, ts.log.lines.join('\n'));
      assert.match(complaints[0], /line 4: field bogus not found in http_server_config/);
      writeConfig(dir, `basic_auth_users:\n  alice: ${hashOf('secret')}\n`);
      assert.equal((await get(ts.url + '/metrics')).status, 401);
      assert.equal((await get(ts.url + '/metrics', { authorization: basic('alice', 'secret') })).status, 200);
      fs.unlinkSync(file);
      assert.equal((await get(ts.url + '/metrics', { authorization: basic('alice', 'secret') })).status, 200);
    } finally {
      await ts.server.close();
    }
  });

  it('refuses a bad web config at start with the file, line and key', async () => {
    const dir = tmpDir();
    const file = writeConfig(dir, 'basic_auth_users:\n  alice: x\n');
    await assert.rejects(startTestServer({ webConfigFile: file }), (err: Error) => {
      assert.equal(err.message, `web config file ${file}: line 2: basic_auth_users: the password of user "alice" is not a bcrypt hash (expected $2a$, $2b$ or $2y$ with cost 04-31 and 53 more characters, e.g. from \`htpasswd -nBC 10 "" | tr -d ':\\n'\`)`);
      return true;
    });
  });

  it('applies rate_limit with 429', async () => {
    const dir = tmpDir();
    const file = writeConfig(dir, 'rate_limit:\n  interval: 1h\n  burst: 2\n');
    const ts = await startTestServer({ webConfigFile: file });
    try {
      assert.equal((await get(ts.url + '/metrics')).status, 200);
      assert.equal((await get(ts.url + '/metrics')).status, 200);
      const r = await get(ts.url + '/metrics');
      assert.equal(r.status, 429);
      assert.equal(r.text, 'Too Many Requests\n');
      const rl = new RateLimiter(1000, 1);
      assert.equal(rl.allow(rl['last']), true);
      assert.equal(rl.allow(rl['last'] + 500), false);
      assert.equal(rl.allow(rl['last'] + 1000), true);
    } finally {
      await ts.server.close();
    }
  });
});

describe('server: hardening', () => {
  it('cuts off a client sending one header byte per second while scrapes by others keep being served', async () => {
    const ts = await startTestServer({ limits: { headersTimeoutMs: 1500, requestTimeoutMs: 3000 } });
    try {
      const sock = net.connect(ts.server.port, '127.0.0.1');
      const received: Buffer[] = [];
      sock.on('data', (c: Buffer) => received.push(c));
      sock.on('error', () => {});
      const closed = new Promise<number>((resolve) => {
        const start = Date.now();
        sock.on('close', () => resolve(Date.now() - start));
      });
      const slow = 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100);
      let sent = 0;
      const drip = setInterval(() => {
        if (!sock.destroyed && sent < slow.length) sock.write(slow[sent++]);
      }, 1000);
      let served = 0;
      let stop = false;
      const scraper = (async () => {
        const agent = new Agent();
        try {
          while (!stop) {
            const r = await request(ts.url + '/metrics', { dispatcher: agent });
            assert.equal(r.statusCode, 200);
            await r.body.text();
            served++;
            await sleep(50);
          }
        } finally {
          await agent.close();
        }
      })();
      const after = await Promise.race([closed, deadline(8000).then(() => -1)]);
      stop = true;
      clearInterval(drip);
      await scraper;
      assert.ok(after > 0, 'the slow client was not cut off');
      assert.ok(sent < 10, `the slow client sent ${sent} bytes before being cut off`);
      assert.match(Buffer.concat(received).toString(), /^HTTP\/1\.1 408 /);
      assert.ok(served >= 5, `only ${served} scrapes were served meanwhile`);
      sock.destroy();
    } finally {
      await ts.server.close();
    }
  });

  it('at the connection ceiling, the oldest idle connection makes room for a new one', async () => {
    const ts = await startTestServer({ limits: { maxConnections: 3 } });
    const idle: net.Socket[] = [];
    try {
      const closedAt: number[] = [];
      for (let i = 0; i < 3; i++) {
        const s = net.connect(ts.server.port, '127.0.0.1');
        s.on('error', () => {});
        s.on('close', () => closedAt.push(i));
        await new Promise((r) => s.once('connect', r));
        idle.push(s);
      }
      await sleep(50);
      const r = await rawExchange(ts.server.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 5000);
      assert.match(r, /^HTTP\/1\.1 200 /);
      await sleep(50);
      assert.deepEqual(closedAt, [0], 'exactly the oldest idle connection was closed');
      assert.equal(idle[1].destroyed || idle[2].destroyed, false);
    } finally {
      for (const s of idle) s.destroy();
      await ts.server.close();
    }
  });

  it('refuses oversized headers with 431', async () => {
    const ts = await startTestServer({ limits: { maxHeaderBytes: 2048 } });
    try {
      const r = await rawExchange(ts.server.port, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
      assert.match(r, /^HTTP\/1\.1 431 /);
      assert.equal(ts.scrapes, 0);
    } finally {
      await ts.server.close();
    }
  });
});
