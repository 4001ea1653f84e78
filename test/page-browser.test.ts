// The page in a real headless Chromium on the live /proc: a CPU-bound and a memory-heavy process started
// here must show up as the table says, the table must sort (by keyboard too) and filter, the values must
// move while the page is open, and the page must log no console error and request nothing off the host.
// Screenshots (light, dark, narrow) go to test-output/page/ under the repository; the path is printed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startExporter, OUR_MAIN, type RunningExporter } from './procs';

// what the callbacks passed to page.waitForFunction see: they run in the page, not in Node
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  getElementById(id: string): { textContent: string | null } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
};

const CHROMIUM = '/usr/bin/chromium';
const OUT_DIR = resolve(__dirname, '..', '..', 'test-output', 'page');
const CPU_NAME = 'npe-cpuburn';
const MEM_NAME = 'npe-memhog';
const IDLE_NAME = 'npe-idler';

function loadPlaywright(): typeof import('playwright-core') | null {
  try {
    return require('playwright-core') as typeof import('playwright-core');
  } catch {
    return null;
  }
}
const playwright = loadPlaywright();
const skip = !existsSync(CHROMIUM)
  ? `chromium is not installed (${CHROMIUM}; apt-get install chromium)`
  : playwright === null
    ? 'playwright-core is not installed (npm ci installs it as a dev dependency)'
    : false;

const children: ChildProcess[] = [];
const exporters: RunningExporter[] = [];
const dirs: string[] = [];
after(async () => {
  for (const e of exporters) await e.stop('SIGKILL');
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * node under another name: started by that name (the kernel's comm), and writing it to its comm again,
 * since Node 24 renames its main thread, and with it the process's comm, to "MainThread".
 */
function startNamed(name: string, script: string): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), 'npe-browser-'));
  dirs.push(dir);
  const bin = join(dir, name);
  symlinkSync(process.execPath, bin);
  const c = spawn(bin, ['-e', `require('fs').writeFileSync('/proc/self/comm', ${JSON.stringify(name)}); ${script}`], { stdio: 'ignore' });
  children.push(c);
  return c;
}

test('the page in headless Chromium: live rows, sorting, filter, charts, no console error, nothing off the host', { skip, timeout: 180_000 }, async () => {
  const pw = playwright!;
  startNamed(CPU_NAME, 'for (;;) {}');
  // 400 MiB written, so it is resident; then idle
  startNamed(MEM_NAME, 'const b = Buffer.alloc(400 * 1024 * 1024, 1); setInterval(() => b[0]++, 60_000);');
  startNamed(IDLE_NAME, 'setInterval(() => {}, 60_000);');
  const e = await startExporter(OUR_MAIN, ['-procnames', `${CPU_NAME},${MEM_NAME},${IDLE_NAME}`, '-web.page-interval', '1s', '-web.page-expose-cmdlines']);
  exporters.push(e);
  const origin = `http://127.0.0.1:${e.port}`;

  const profile = mkdtempSync(join(tmpdir(), 'npe-chromium-'));
  dirs.push(profile);
  const context = await pw.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors: string[] = [];
    const offHost: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    context.on('request', (r) => {
      if (!r.url().startsWith(origin + '/')) offHost.push(r.url());
    });

    await page.goto(origin + '/');
    const firstRow = () => page.locator('#rows tr').first().getAttribute('data-group');
    // the CPU-bound process is first within a few seconds (sorted by CPU by default)
    await page.waitForFunction((name) => document.querySelector('#rows tr')?.getAttribute('data-group') === name, CPU_NAME, { timeout: 15_000 });
    assert.equal(await page.locator('#head th[aria-sort="descending"]').getAttribute('data-key'), 'cpuPercent');

    // values change while the page is open: the busy row's sparkline grows
    const spark = () => page.locator(`#rows tr[data-group="${CPU_NAME}"] .spark polyline`).getAttribute('points').catch(() => null);
    const before = await spark();
    await page.waitForFunction(
      ([name, prev]) => document.querySelector(`#rows tr[data-group="${name}"] .spark polyline`)?.getAttribute('points') !== prev,
      [CPU_NAME, before] as const,
      { timeout: 20_000 },
    );
    const cpuText = await page.locator(`#rows tr[data-group="${CPU_NAME}"] td`).nth(1).textContent();
    assert.match(cpuText ?? '', /^\d+(\.\d)?%user/, `CPU cell: ${cpuText}`);

    // sort by resident memory, by keyboard: the memory-heavy process comes first
    await page.locator('#head button[data-key="residentBytes"]').focus();
    await page.keyboard.press('Enter');
    assert.equal(await firstRow(), MEM_NAME);
    assert.equal(await page.locator('#head th[aria-sort]').getAttribute('data-key'), 'residentBytes');
    // and again for ascending: the memory-heavy one goes last
    await page.keyboard.press(' ');
    assert.equal(await page.locator('#rows tr').last().getAttribute('data-group'), MEM_NAME);
    assert.equal(await page.locator('#head th[aria-sort]').getAttribute('aria-sort'), 'ascending');
    await page.locator('#head button[data-key="cpuPercent"]').click();

    // the filter keeps matching rows only
    await page.fill('#filter', 'memh');
    assert.deepEqual(await page.locator('#rows tr').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-group'))), [MEM_NAME]);
    assert.equal(await page.locator('#count').textContent(), '1 of 3 groups');
    await page.fill('#filter', '');
    assert.equal(await page.locator('#rows tr').count(), 3);

    // selecting a group by keyboard shows its charts and its PromQL
    await page.locator(`#rows tr[data-group="${CPU_NAME}"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator('#chart-cpu canvas').waitFor({ timeout: 10_000 });
    await page.locator('#chart-mem canvas').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#detail-title').textContent(), CPU_NAME);
    assert.equal(
      await page.locator('#queries tr').first().locator('code').textContent(),
      `sum by (groupname) (rate(namedprocess_namegroup_cpu_seconds_total{groupname="${CPU_NAME}"}[1m])) * 100`,
    );
    await page.waitForFunction(() => /^The last /.test(document.getElementById('history-note')?.textContent ?? ''), undefined, { timeout: 15_000 });
    // -web.page-expose-cmdlines: the group's process with its command line
    await page.locator('#procs tbody tr').first().waitFor({ timeout: 10_000 });
    assert.match((await page.locator('#procs tbody tr td.cmd').first().textContent()) ?? '', new RegExp(`/${CPU_NAME} -e .*for \\(;;\\) \\{\\}$`));

    mkdirSync(OUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUT_DIR, 'light.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('#chart-cpu canvas').waitFor();
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(OUT_DIR, 'dark.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(OUT_DIR, 'narrow.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone screen`);
    process.stdout.write(`# screenshots of the page: ${OUT_DIR}/{light,dark,narrow}.png\n`);

    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(offHost, []);
  } finally {
    await context.close();
  }
});
