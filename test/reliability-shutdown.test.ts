// Reliability: SIGTERM ends the exporter even while a /proc read is blocked in the kernel. A FIFO in
// place of a process's cmdline blocks its open() the way a process stuck on a dead NFS mount blocks a
// real cmdline read. Both readers. And a remote_write password_file that is a FIFO holds up neither
// the sends nor the shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { FakeProcfs } from './fakeproc';
import { OUR_MAIN, startExporter } from './procs';
import { loadNative } from '../src/proc/native';
import { startReceiver } from './remote-write-receiver';

const nativeSkip = loadNative().addon ? false : 'the native scanner is not built here (no compiler at install)';

for (const reader of ['native', 'ts'] as const) {
  test(`SIGTERM ends the exporter with code 0 while a ${reader} reader is stuck on a FIFO`, { skip: reader === 'native' && nativeSkip }, async () => {
    const tree = await FakeProcfs.create();
    try {
      await tree.set([{ pid: 10, comm: 'calm' }]);
      const ex = await startExporter(OUR_MAIN, ['-procfs', tree.root, '-procnames', 'calm,stuck'], { NAMEDPROCESS_READER: reader });
      // a new process whose cmdline is a FIFO: its first-sight read blocks in open()
      await tree.set([{ pid: 10, comm: 'calm' }, { pid: 11, comm: 'stuck', omit: ['cmdline'] }]);
      execFileSync('mkfifo', [path.join(tree.root, '11', 'cmdline')]);
      // this scrape runs the cycle that gets stuck; it must not keep the process alive
      const pending = request(`http://127.0.0.1:${ex.port}/metrics`, { headersTimeout: 60_000 }).then(
        (r) => r.statusCode,
        () => 'reset',
      );
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      const code = await ex.stop('SIGTERM');
      const took = Date.now() - started;
      assert.equal(code, 0, ex.output());
      // stop() sends SIGKILL after 10 s: an exit before that is the exporter's own
      assert.ok(took < 10_000, `exit took ${took} ms`);
      assert.match(ex.output(), / msg="Shutting down the server"\n/);
      await pending;
    } finally {
      // unblock anything still holding the FIFO open, then remove the tree
      const fifo = path.join(tree.root, '11', 'cmdline');
      try {
        const fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
        fs.closeSync(fd);
      } catch {
        // no reader left
      }
      await tree.remove();
    }
  });
}

test('SIGTERM ends the exporter with code 0 while its remote_write password_file is a FIFO nobody writes', { timeout: 60_000 }, async () => {
  const tree = await FakeProcfs.create();
  const receiver = await startReceiver();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-fifo-secret-'));
  try {
    await tree.set([{ pid: 10, comm: 'calm' }]);
    const fifo = path.join(dir, 'password');
    execFileSync('mkfifo', [fifo]);
    const config = path.join(dir, 'pe.yml');
    fs.writeFileSync(config, `process_names:\n  - comm: [calm]\nglobal:\n  scrape_interval: 1s\nremote_write:\n  - url: ${receiver.url}\n    name: r\n    basic_auth:\n      username: u\n      password_file: ${fifo}\n`);
    const ex = await startExporter(OUR_MAIN, ['-procfs', tree.root, '-config.path', config]);
    for (let i = 0; i < 200 && !ex.output().includes('cannot read basic_auth.password_file'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(ex.output(), new RegExp(`remote_write r: cannot read basic_auth.password_file ${fifo}: ENOTREG`));
    // scrapes go on meanwhile
    assert.equal((await ex.scrape()).status, 200);
    // the queue gets its 10 s to empty (it cannot: no password), then the exporter ends by itself
    const exited = new Promise<number | null>((resolve) => ex.child.once('exit', (code) => resolve(code)));
    ex.child.kill('SIGTERM');
    const killer = setTimeout(() => ex.child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(killer);
    assert.equal(code, 0, ex.output());
    assert.match(ex.output(), /remote_write r: \d+ samples not sent at shutdown/);
    assert.equal(receiver.requests.length, 0);
  } finally {
    await receiver.close();
    await tree.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
