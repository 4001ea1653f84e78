// Honest unknowns on the live /proc: the exporter run as user nobody cannot read a root-owned process's
// io or smaps, so /api/groups gives its write rate and proportional memory as null (not 0) and the page
// shows "n/a" with a tooltip saying why; with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH as ambient
// capabilities it reads them and gives real numbers. /metrics keeps counting partial errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nobodySkip, startExporter, OUR_MAIN, type RunningExporter } from './procs';
import type { GroupsJson, RowJson } from '../src/page/api';

const SETPRIV = '/usr/bin/setpriv';
const CHROMIUM = '/usr/bin/chromium';
const WRITER = 'npe-rootwriter';
const AS_NOBODY = [SETPRIV, '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
const CAPS = ['--inh-caps=+sys_ptrace,+dac_read_search', '--ambient-caps=+sys_ptrace,+dac_read_search'];

const skip = nobodySkip(SETPRIV);

const children: ChildProcess[] = [];
const exporters: RunningExporter[] = [];
const dirs: string[] = [];
after(async () => {
  for (const e of exporters) await e.stop('SIGKILL');
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A root-owned node process named WRITER that writes 256 KiB to disk and syncs it every 100 ms. */
function startWriter(): ChildProcess {
  const bin = mkdtempSync(join(tmpdir(), 'npe-unknowns-'));
  // the file goes next to the checkout (a disk), not to a tmpfs /tmp where nothing reaches storage
  const data = resolve(__dirname, '..', '..', 'test-output', 'unknowns');
  mkdirSync(data, { recursive: true });
  dirs.push(bin, data);
  symlinkSync(process.execPath, join(bin, WRITER));
  const script = `require('fs').writeFileSync('/proc/self/comm', ${JSON.stringify(WRITER)});
    const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(join(data, 'out'))}, 'w'); const b = Buffer.alloc(256 * 1024, 7);
    setInterval(() => { fs.writeSync(fd, b, 0, b.length, 0); fs.fsyncSync(fd); }, 100);`;
  const c = spawn(join(bin, WRITER), ['-e', script], { stdio: 'ignore' });
  children.push(c);
  return c;
}

/** Polls /api/groups until the writer's row satisfies ok, and returns it. */
async function writerRow(e: RunningExporter, ok: (r: RowJson) => boolean): Promise<RowJson> {
  let last: RowJson | undefined;
  for (let i = 0; i < 40; i++) {
    const body = JSON.parse((await e.scrape('/api/groups')).body) as GroupsJson;
    last = body.groups.find((g) => g.name === WRITER);
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`the writer's row never became as expected: ${JSON.stringify(last)}`);
}

test('as nobody, a root-owned writer\'s io and proportional memory are unknown (null, "n/a"); with the two capabilities, real numbers', { skip, timeout: 120_000 }, async (t) => {
  startWriter();
  const args = ['-procnames', WRITER, '-web.page-interval', '1s'];

  const plain = await startExporter(OUR_MAIN, args, {}, AS_NOBODY);
  exporters.push(plain);
  const unknown = await writerRow(plain, (r) => r.procs === 1 && r.cpuPercent !== null);
  assert.deepEqual(
    { read: unknown.readBytesPerSecond, write: unknown.writeBytesPerSecond, pss: unknown.proportionalResidentBytes, ioUnreadable: unknown.ioUnreadableProcs, pssUnreadable: unknown.proportionalUnreadableProcs },
    { read: null, write: null, pss: null, ioUnreadable: 1, pssUnreadable: 1 },
  );
  assert.ok(unknown.residentBytes > 0, 'resident memory comes from stat, readable by anyone');
  // /metrics is unchanged: the write counter is there (0), the partial errors say why
  const metrics = (await plain.scrape('/metrics')).body;
  assert.match(metrics, new RegExp(`^namedprocess_namegroup_write_bytes_total\\{groupname="${WRITER}"\\} 0$`, 'm'));
  assert.ok(Number(/^namedprocess_scrape_partial_errors (\S+)$/m.exec(metrics)?.[1]) > 0);

  await t.test('the page shows "n/a" with a tooltip saying why', { skip: existsSync(CHROMIUM) ? false : `chromium is not installed (${CHROMIUM})` }, async () => {
    const pw = require('playwright-core') as typeof import('playwright-core');
    const browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`http://127.0.0.1:${plain.port}/`);
      const cell = page.locator(`#rows tr[data-group="${WRITER}"] td`).nth(6);
      await cell.waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('#head th').nth(6).getAttribute('data-key'), 'writeBytesPerSecond');
      assert.equal(await cell.textContent(), 'n/a');
      assert.match((await cell.getAttribute('title')) ?? '', /^Unknown: the exporter could not read this for any process of the row .*CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH/);
    } finally {
      await browser.close();
    }
  });
  await plain.stop();

  const capable = await startExporter(OUR_MAIN, args, {}, [...AS_NOBODY, ...CAPS]);
  exporters.push(capable);
  const known = await writerRow(capable, (r) => r.writeBytesPerSecond !== null && r.writeBytesPerSecond > 0);
  assert.deepEqual([known.ioUnreadableProcs, known.proportionalUnreadableProcs], [0, 0]);
  assert.equal(typeof known.readBytesPerSecond, 'number');
  assert.ok(known.proportionalResidentBytes !== null && known.proportionalResidentBytes > 0, JSON.stringify(known));
});
