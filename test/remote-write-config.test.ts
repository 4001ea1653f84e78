// The `global` and `remote_write` sections of the config file: Prometheus's fields and defaults, and
// errors that name the file, line, column and field.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePushConfig, readPushConfigFile } from '../src/config/remote-write';
import { readConfig, ConfigError } from '../src/config/load';
import { pushFromConfig } from '../src/push';
import { StartupError } from '../src/base/errors';
import { memoryLogger } from './memory-logger';

function error(yaml: string): string {
  try {
    parsePushConfig(yaml, 'pe.yml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.message;
  }
  assert.fail('no error');
}

describe('remote_write config', () => {
  test('no remote_write: no push, whatever else the file has', () => {
    assert.equal(parsePushConfig('process_names:\n  - comm: [bash]\n', 'pe.yml'), null);
    assert.equal(parsePushConfig('global:\n  scrape_interval: 5s\nremote_write: []\n', 'pe.yml'), null);
    assert.equal(parsePushConfig('', 'pe.yml'), null);
  });

  test("Prometheus's defaults", () => {
    const cfg = parsePushConfig('remote_write:\n  - url: https://mimir.example/api/v1/push\n', 'pe.yml');
    assert.ok(cfg);
    assert.deepEqual(cfg.global, { scrapeIntervalMs: 15_000, externalLabels: [] });
    const rw = cfg.remoteWrite[0];
    assert.equal(rw.remoteTimeoutMs, 30_000);
    assert.deepEqual(rw.queue, { capacity: 500_000, maxSamplesPerSend: 2000, batchSendDeadlineMs: 5000, minBackoffMs: 30, maxBackoffMs: 5000, retryOnHttp429: false });
    assert.deepEqual([rw.basicAuth, rw.authorization, rw.headers, rw.writeRelabel], [null, null, [], []]);
    assert.match(rw.name, /^[0-9a-f]{6}$/);
    assert.equal(rw.followRedirects, true);
  });

  test('every field read', () => {
    const cfg = parsePushConfig(
      `global:
  scrape_interval: 1m30s
  scrape_timeout: 10s
  external_labels:
    region: eu
    cluster: c1
remote_write:
  - url: http://127.0.0.1:9090/api/v1/write
    name: local
    remote_timeout: 500ms
    headers:
      X-Scope-OrgID: team-a
    basic_auth:
      username: alice
      password_file: /run/secrets/pw
    tls_config:
      ca_file: /etc/ca.pem
      cert_file: /etc/c.pem
      key_file: /etc/k.pem
      server_name: recv.local
      insecure_skip_verify: true
    queue_config:
      capacity: 100
      max_samples_per_send: 10
      batch_send_deadline: 1s
      min_backoff: 50ms
      max_backoff: 2s
      retry_on_http_429: true
  - url: https://other/push
    authorization:
      credentials_file: /run/secrets/token
`,
      'pe.yml',
    );
    assert.ok(cfg);
    assert.deepEqual(cfg.global, { scrapeIntervalMs: 90_000, externalLabels: [['cluster', 'c1'], ['region', 'eu']] });
    const [a, b] = cfg.remoteWrite;
    assert.deepEqual(
      { name: a.name, timeout: a.remoteTimeoutMs, headers: a.headers, basic: a.basicAuth, tls: a.tls, queue: a.queue },
      {
        name: 'local',
        timeout: 500,
        headers: [['X-Scope-OrgID', 'team-a']],
        basic: { username: 'alice', password: '', passwordFile: '/run/secrets/pw' },
        tls: { caFile: '/etc/ca.pem', certFile: '/etc/c.pem', keyFile: '/etc/k.pem', serverName: 'recv.local', insecureSkipVerify: true },
        queue: { capacity: 100, maxSamplesPerSend: 10, batchSendDeadlineMs: 1000, minBackoffMs: 50, maxBackoffMs: 2000, retryOnHttp429: true },
      },
    );
    assert.deepEqual(b.authorization, { type: 'Bearer', credentials: '', credentialsFile: '/run/secrets/token' });
  });

  test('durations as Prometheus writes them', () => {
    const yaml = (d: string) => `remote_write:\n  - url: http://r/w\n    queue_config:\n      batch_send_deadline: "${d}"\n`;
    const deadline = (d: string) => parsePushConfig(yaml(d), 'pe.yml')!.remoteWrite[0].queue.batchSendDeadlineMs;
    assert.deepEqual(['0', '15s', '1h30m', '100ms', '1d', '2w', '1y', '1m1s1ms'].map(deadline), [0, 15_000, 5_400_000, 100, 86_400_000, 1_209_600_000, 31_536_000_000, 61_001]);
    for (const d of ['', '1.5s', '15', 's', '1s1m', '-1s']) {
      assert.equal(error(yaml(d)), `pe.yml:4:28: remote_write[0].queue_config.batch_send_deadline: not a valid duration string: "${d}"`);
    }
  });

  test('errors name the file, line, column and field', () => {
    const rw = (body: string) => `remote_write:\n  - url: http://r/w\n${body}`;
    assert.equal(error(rw('    queue_config:\n      capacity: -3\n')), 'pe.yml:4:17: remote_write[0].queue_config.capacity: expected a positive integer, got `-3`');
    assert.equal(error(rw('    queue_config:\n      capasity: 3\n')), 'pe.yml:4:7: remote_write[0].queue_config.capasity: unknown field (known: capacity, max_samples_per_send, batch_send_deadline, min_backoff, max_backoff, retry_on_http_429)');
    assert.equal(error(rw('    remote_timeout: 30\n')), 'pe.yml:3:21: remote_write[0].remote_timeout: not a valid duration string: "30"');
    assert.equal(error(rw('    queue_config:\n      retry_on_http_429: maybe\n')), 'pe.yml:4:26: remote_write[0].queue_config.retry_on_http_429: expected true or false, got `maybe`');
    assert.equal(error(rw('    queue_config:\n      min_backoff: 2s\n      max_backoff: 1s\n')), 'pe.yml:5:20: remote_write[0].queue_config.max_backoff: must not be less than min_backoff');
    assert.equal(error(rw('    headers:\n      Authorization: x\n')), 'pe.yml:4:7: remote_write[0].headers.Authorization: Authorization is a reserved header. It must not be changed');
    // a value that would end the header early: refused at load, never sent (issue 21)
    assert.equal(error(rw('    headers:\n      X-Ok: "a\\nInjected: yes"\n')), 'pe.yml:4:13: remote_write[0].headers.X-Ok: not a valid header value: it contains "\\n" at offset 1');
    assert.equal(error(rw('    headers:\n      X-Ok: "a\\rb"\n')), 'pe.yml:4:13: remote_write[0].headers.X-Ok: not a valid header value: it contains "\\r" at offset 1');
    assert.equal(error(rw('    headers:\n      X-Ok: "a\\0b"\n')), 'pe.yml:4:13: remote_write[0].headers.X-Ok: not a valid header value: it contains "\\u0000" at offset 1');
    assert.equal(error(rw('    headers:\n      X-Ok: "\\u20ac"\n')), 'pe.yml:4:13: remote_write[0].headers.X-Ok: not a valid header value: it contains "€" at offset 0');
    assert.equal(error(rw('    headers:\n      X-Ok: " a"\n')), 'pe.yml:4:13: remote_write[0].headers.X-Ok: not a valid header value: it starts or ends with white space');
    assert.equal(error(rw('    headers:\n      "X Bad": a\n')), 'pe.yml:4:7: remote_write[0].headers.X Bad: not a valid header name');
    assert.equal(error(rw('    follow_redirects: sometimes\n')), 'pe.yml:3:23: remote_write[0].follow_redirects: expected true or false, got `sometimes`');
    assert.equal(error(rw('    basic_auth:\n      username: u\n      password: p\n      password_file: f\n')), 'pe.yml:6:22: remote_write[0].basic_auth: at most one of basic_auth password & password_file must be configured');
    assert.equal(error(rw('    basic_auth: {username: u}\n    authorization: {credentials: c}\n')), 'pe.yml:4:20: remote_write[0]: at most one of basic_auth & authorization must be configured');
    assert.equal(error(rw('    authorization:\n      type: Basic\n')), 'pe.yml:4:13: remote_write[0].authorization.type: authorization type cannot be set to "basic", use "basic_auth" instead');
    assert.equal(error(rw('    tls_config:\n      cert_file: c.pem\n')), 'pe.yml:4:7: remote_write[0].tls_config: exactly one of key_file and cert_file is set: client certificate authentication needs both');
    assert.equal(error(rw('    write_relabel_configs:\n      - source_labels: [a]\n')), 'pe.yml:4:9: remote_write[0].write_relabel_configs[0]: relabel configuration for replace action requires \'target_label\' value');
    assert.equal(error(rw('    write_relabel_configs:\n      - {regex: a, action: labeldrop, replacement: x}\n')), 'pe.yml:4:9: remote_write[0].write_relabel_configs[0]: labeldrop action requires only \'regex\', and no other fields');
    assert.equal(error(rw('    write_relabel_configs:\n      - {source_labels: [a], action: hashmod, target_label: s}\n')), 'pe.yml:4:9: remote_write[0].write_relabel_configs[0]: relabel configuration for hashmod requires non-zero modulus');
    assert.equal(error(rw('    write_relabel_configs:\n      - source_labels: [a]\n        action: explode\n')), 'pe.yml:5:17: remote_write[0].write_relabel_configs[0].action: unknown relabel action "explode" (one of replace, keep, drop, labelkeep, labeldrop, labelmap, lowercase, uppercase, hashmod)');
    assert.equal(error(rw('    write_relabel_configs:\n      - source_labels: [a]\n        regex: "a("\n')), 'pe.yml:5:16: remote_write[0].write_relabel_configs[0].regex: error parsing regexp: missing closing ): `a(`');
    assert.equal(error(rw('    write_relabel_configs:\n      - source_labels: [1a]\n        action: drop\n')), 'pe.yml:4:25: remote_write[0].write_relabel_configs[0].source_labels[0]: "1a" is not a valid label name');
    assert.equal(error('remote_write:\n  - name: x\n'), 'pe.yml:2:5: remote_write[0].url: url for remote_write is empty');
    assert.equal(error('remote_write:\n  - url: ftp://x/\n'), 'pe.yml:2:10: remote_write[0].url: unsupported scheme "ftp" (http or https)');
    assert.equal(error('remote_write:\n  - url: http://u:secret@x/\n'), 'pe.yml:2:10: remote_write[0].url: credentials in the URL are not supported: use basic_auth');
    assert.equal(error('remote_write:\n  - {url: http://a/, name: n}\n  - {url: http://b/, name: n}\n'), 'pe.yml:3:5: remote_write[1].name: found multiple remote write configs with the same name "n"');
    assert.equal(error('remote_write:\n  url: http://a/\n'), 'pe.yml:2:3: remote_write: expected a list, got a mapping');
    assert.equal(error('global:\n  scrape_interval: 0s\nremote_write: [{url: http://a/}]\n'), 'pe.yml:2:20: global.scrape_interval: must be greater than 0');
    assert.equal(error('global:\n  scrape_intervl: 5s\nremote_write: [{url: http://a/}]\n'), 'pe.yml:2:3: global.scrape_intervl: unknown field (known: scrape_interval, scrape_timeout, evaluation_interval, external_labels)');
    assert.equal(error('global:\n  external_labels:\n    bad-name: x\nremote_write: [{url: http://a/}]\n'), 'pe.yml:3:5: global.external_labels: "bad-name" is not a valid label name');
  });

  test('through the config file: the same file as the rules, the error says which file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npe-rwcfg-'));
    const file = join(dir, 'pe.yml');
    writeFileSync(file, 'process_names:\n  - comm: [bash]\nremote_write:\n  - url: http://127.0.0.1:1/w\n    queue_config: {capacity: 0}\n');
    // the rules loader reads the same file and is not bothered by the push sections
    assert.equal((await readConfig(file)).rules.length, 1);
    await assert.rejects(readPushConfigFile(file), (e: Error) => e instanceof ConfigError && e.message === `${file}:5:30: remote_write[0].queue_config.capacity: expected a positive integer, got \`0\``);
    await assert.rejects(
      pushFromConfig(file, { collector: undefined as never, log: memoryLogger(), version: 't' }),
      (e: Error) => e instanceof StartupError && e.message === `error reading config file "${file}": ${file}:5:30: remote_write[0].queue_config.capacity: expected a positive integer, got \`0\``,
    );
    writeFileSync(file, 'remote_write:\n  - url: http://127.0.0.1:1/w\n    tls_config: {ca_file: /nonexistent/ca.pem}\n');
    await assert.rejects(
      pushFromConfig(file, { collector: undefined as never, log: memoryLogger(), version: 't' }),
      (e: Error) => e instanceof StartupError && e.message.startsWith('remote_write ') && e.message.endsWith(': tls_config.ca_file: cannot read /nonexistent/ca.pem: ENOENT'),
    );
    assert.equal(await pushFromConfig('', { collector: undefined as never, log: memoryLogger(), version: 't' }), null);
  });
});
