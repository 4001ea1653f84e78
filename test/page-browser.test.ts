// The page in a real headless Chromium on the live /proc: a CPU-bound and a memory-heavy process started
// here must show up as the table says, the table must sort (by keyboard too) and filter, the values must
// move while the page is open, the view switch must show the systemd unit and the container they were
// put in (real cgroups, as root), an opened row's details must come into view, headers must explain
// themselves, the page must keep its state in the URL and dim with a banner when the exporter stops
// answering, and it must log no console error and request nothing off the host. Screenshots (desktop
// 1400x900 and phone 390x844, light and dark, and the stale banner) go to test-output/page/ under the
// repository; the path is printed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startExporter, OUR_MAIN, type RunningExporter } from './procs';

// what the callbacks passed to page.waitForFunction see: they run in the page, not in Node
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  getElementById(id: string): { textContent: string | null; hidden: boolean; getBoundingClientRect(): { top: number; bottom: number } } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  body: { classList: { contains(c: string): boolean } };
};
declare const window: { innerHeight: number };
declare function getComputedStyle(element: unknown): { opacity: string };

const CHROMIUM = '/usr/bin/chromium';
const OUT_DIR = resolve(__dirname, '..', '..', 'test-output', 'page');
const CPU_NAME = 'npe-cpuburn';
const MEM_NAME = 'npe-memhog';
const IDLE_NAME = 'npe-idler';
/** sleepers under names of their own: enough rows that an opened row's details start far below the fold */
const SLEEPERS = Array.from({ length: 40 }, (_, i) => `npe-sleep${String(i).padStart(2, '0')}`);
const UNIT = 'npe-burn.service';
const CONTAINER = 'feed'.repeat(16);

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
/** cgroups this test made, innermost last: removed in reverse once their processes are gone */
const cgroups: string[] = [];
after(async () => {
  for (const e of exporters) await e.stop('SIGKILL');
  const exits = children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((r) => c.once('exit', r)));
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(exits);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const cg of cgroups.reverse()) rmdirSync(cg);
});

/** The cgroup2 mount, when this process (root) can make cgroups under it; else why not. */
function cgroup2(): { mount: string } | { why: string } {
  if (process.getuid?.() !== 0) return { why: 'not root' };
  const line = readFileSync('/proc/self/mounts', 'utf8').split('\n').find((l) => l.split(' ')[2] === 'cgroup2');
  if (line === undefined) return { why: 'no cgroup2 hierarchy is mounted' };
  const mount = line.split(' ')[1];
  try {
    const probe = join(mount, `npe-probe-${process.pid}`);
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (e) {
    return { why: `cannot make a cgroup under ${mount}: ${(e as Error).message}` };
  }
  return { mount };
}

/** Moves a process into <mount>/<path>, making (and remembering) the cgroups on the way. */
function placeIn(mount: string, path: string, pid: number): void {
  let dir = mount;
  for (const part of path.split('/')) {
    dir = join(dir, part);
    if (!existsSync(dir)) {
      mkdirSync(dir);
      cgroups.push(dir);
    }
  }
  writeFileSync(join(dir, 'cgroup.procs'), `${pid}\n`);
}

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

test('the page in headless Chromium: live rows, sorting, filter, views, opened rows in view, tooltips, URL state, stale banner, no console error, nothing off the host', { skip, timeout: 240_000 }, async (t) => {
  const pw = playwright!;
  const cg = cgroup2();
  const burn = startNamed(CPU_NAME, 'for (;;) {}');
  // 400 MiB written, so it is resident; then idle
  const mem = startNamed(MEM_NAME, 'const b = Buffer.alloc(400 * 1024 * 1024, 1); setInterval(() => b[0]++, 60_000);');
  startNamed(IDLE_NAME, 'setInterval(() => {}, 60_000);');
  const sleepDir = mkdtempSync(join(tmpdir(), 'npe-sleepers-'));
  dirs.push(sleepDir);
  for (const name of SLEEPERS) {
    symlinkSync('/bin/sleep', join(sleepDir, name));
    children.push(spawn(join(sleepDir, name), ['600'], { stdio: 'ignore' }));
  }
  // in real cgroups before the exporter names them (it reads a process's cgroup when it names it)
  if ('mount' in cg) {
    placeIn(cg.mount, `npe-browser-${process.pid}.slice/${UNIT}`, burn.pid!);
    placeIn(cg.mount, `npe-browser-${process.pid}.slice/docker-${CONTAINER}.scope`, mem.pid!);
  } else t.diagnostic(`the service and container rows are not checked by name: ${cg.why}`);
  const e = await startExporter(OUR_MAIN, ['-procnames', [CPU_NAME, MEM_NAME, IDLE_NAME, ...SLEEPERS].join(','), '-web.page-interval', '1s', '-web.page-expose-cmdlines']);
  exporters.push(e);
  const origin = `http://127.0.0.1:${e.port}`;
  const groups = 3 + SLEEPERS.length;

  const profile = mkdtempSync(join(tmpdir(), 'npe-chromium-'));
  dirs.push(profile);
  const context = await pw.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
    colorScheme: 'light',
  });
  mkdirSync(OUT_DIR, { recursive: true });
  const shot = (name: string) => page.screenshot({ path: join(OUT_DIR, `${name}.png`) });
  const page = context.pages()[0] ?? (await context.newPage());
  try {
    const consoleErrors: string[] = [];
    const offHost: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    context.on('request', (r) => {
      if (!r.url().startsWith(origin + '/')) offHost.push(r.url());
    });
    /** whether #detail's top is inside the viewport */
    const detailInView = () => page.evaluate(() => {
      const r = document.getElementById('detail')!.getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
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
    assert.match(cpuText ?? '', /^\d+(\.\d)?%user \d/, `CPU cell: ${cpuText}`);
    // rates carry their unit, an idle one too; memory also as a share of the host
    const row = (name: string) => page.locator(`#rows tr[data-group="${name}"] td`);
    assert.match((await row(IDLE_NAME).nth(6).textContent()) ?? '', /^\d+(\.\d)? (B|KiB|MiB)\/s/);
    assert.match((await row(MEM_NAME).nth(2).textContent()) ?? '', /^4\d\d MiB\d+\.\d% of RAM$/);

    // every header explains itself with its unit, in a tooltip and in the glossary
    const tip = await page.locator('#head button[data-key="residentBytes"]').getAttribute('title');
    assert.match(tip ?? '', /^Resident: RAM in use, shared pages counted in full/);
    for (const key of ['cpuPercent', 'readBytesPerSecond', 'writeBytesPerSecond', 'openFds', 'age']) {
      assert.ok(((await page.locator(`#head button[data-key="${key}"]`).getAttribute('title')) ?? '').length > 20, `a tooltip on ${key}`);
    }
    assert.match((await page.locator('#head button[data-key="age"]').getAttribute('title')) ?? '', /^Running: how long the oldest/);
    assert.match((await page.locator('#head button[data-key="openFds"]').getAttribute('title')) ?? '', /"worst": the largest share of its open-files limit/);
    assert.match((await page.locator('#glossary').textContent()) ?? '', /ResidentRAM in use, shared pages counted in full/);
    // hovering shows it (the browser draws the tooltip itself: not in a screenshot)
    await page.hover('#head button[data-key="residentBytes"]');

    // sort by resident memory, by keyboard: the memory-heavy process comes first
    await page.locator('#head button[data-key="residentBytes"]').focus();
    await page.keyboard.press('Enter');
    assert.equal(await firstRow(), MEM_NAME);
    assert.equal(await page.locator('#head th[aria-sort]').getAttribute('data-key'), 'residentBytes');
    // and again for ascending: the memory-heavy one goes last
    await page.keyboard.press(' ');
    assert.equal(await page.locator('#rows tr').last().getAttribute('data-group'), MEM_NAME);
    assert.equal(await page.locator('#head th[aria-sort]').getAttribute('aria-sort'), 'ascending');
    assert.match(page.url(), /[?&]sort=residentBytes&order=asc/);
    await page.locator('#head button[data-key="cpuPercent"]').click();

    // the filter keeps matching rows only, and is in the URL
    await page.fill('#filter', 'memh');
    assert.deepEqual(await page.locator('#rows tr').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-group'))), [MEM_NAME]);
    assert.equal(await page.locator('#count').textContent(), `1 shown · ${groups} groups`);
    assert.match(page.url(), /[?&]q=memh/);
    await page.fill('#filter', '');
    assert.equal(await page.locator('#rows tr').count(), groups);

    // CPU as a share of the host: the busy row's figure divided by the cores
    const cores = (await page.evaluate(() => document.getElementById('host-cpu')!.textContent ?? '')).match(/of (\d+) core/)?.[1];
    await page.selectOption('#cpu-base', 'host');
    assert.match(page.url(), /[?&]cpu=host/);
    assert.match((await page.locator('#head button[data-key="cpuPercent"]').getAttribute('title')) ?? '', /% of the whole host/);
    assert.ok(cores !== undefined, 'the host tile names its cores');
    await page.selectOption('#cpu-base', 'core');

    // opening the busy row by keyboard: its details (processes, charts, PromQL) come into view, 40-odd rows down
    await page.locator(`#rows tr[data-group="${CPU_NAME}"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator('#chart-cpu canvas').waitFor({ timeout: 10_000 });
    await page.locator('#chart-mem canvas').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#detail-title').textContent(), `Group ${CPU_NAME}`);
    assert.ok(await detailInView(), 'the opened row\'s details are in view');
    assert.match(page.url(), new RegExp(`[?&]open=${CPU_NAME}`));
    assert.equal(
      await page.locator('#queries tr').first().locator('code').textContent(),
      `sum by (groupname) (rate(namedprocess_namegroup_cpu_seconds_total{groupname="${CPU_NAME}"}[1m])) * 100`,
    );
    await page.waitForFunction(() => /^The last /.test(document.getElementById('history-note')?.textContent ?? ''), undefined, { timeout: 15_000 });
    // its processes: pid, name, user, service, container, CPU, memory, I/O; and (the flag is on) the command line
    await page.locator('#procs tbody tr').first().waitFor({ timeout: 10_000 });
    assert.deepEqual(await page.locator('#procs-head th').allTextContents(), ['PID', 'Name', 'User', 'Service', 'Container', 'CPU', 'Resident', 'Read', 'Write', 'Command line']);
    const proc = await page.locator('#procs tbody tr').first().locator('td').allTextContents();
    assert.equal(proc[0], String(burn.pid));
    assert.equal(proc[2], 'root');
    if ('mount' in cg) assert.equal(proc[3], UNIT);
    assert.match(proc[9] ?? '', new RegExp(`/${CPU_NAME} -e .*for \\(;;\\) \\{\\}$`));
    await page.waitForTimeout(1500);
    await shot('desktop-light');

    // the view switch: by service, then by container; the URL says which
    await page.locator('.seg button[data-view="service"]').click();
    assert.match(page.url(), /[?&]view=service/);
    await page.locator('#head th[data-key="name"]').filter({ hasText: 'Service' }).waitFor();
    if ('mount' in cg) {
      await page.locator(`#rows tr[data-group="${UNIT}"]`).waitFor({ timeout: 10_000 });
      assert.match((await row(UNIT).nth(0).textContent()) ?? '', new RegExp(`^${UNIT}in ${CPU_NAME}$`));
      await page.locator(`#rows tr[data-group="${UNIT}"]`).click();
      await page.locator('#procs tbody tr').first().waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('#detail-title').textContent(), `Service ${UNIT}`);
      assert.deepEqual(await page.locator('#procs tbody tr td:first-child').allTextContents(), [String(burn.pid)]);
      assert.ok(await detailInView(), 'the opened service\'s details are in view');
      assert.match(page.url(), new RegExp(`[?&]open=${UNIT}`));
    }
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(1500);
    await shot('desktop-dark-services');
    await page.locator('.seg button[data-view="container"]').click();
    assert.match(page.url(), /[?&]view=container/);
    await page.locator('#head th[data-key="name"]').filter({ hasText: 'Container' }).waitFor();
    if ('mount' in cg) {
      await page.locator(`#rows tr[data-group="${CONTAINER}"]`).waitFor({ timeout: 10_000 });
      assert.match((await row(CONTAINER).nth(0).textContent()) ?? '', new RegExp(`^${CONTAINER.slice(0, 12)}in ${MEM_NAME}$`));
    }
    await page.waitForTimeout(1000);
    await shot('desktop-dark-containers');

    // the state comes back from the URL: view, sort, filter, open row
    await page.goto(`${origin}/?view=group&sort=residentBytes&order=desc&q=npe-&open=${MEM_NAME}`);
    await page.locator('#procs tbody tr').first().waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.seg button[aria-pressed="true"]').textContent(), 'Groups');
    assert.equal(await page.inputValue('#filter'), 'npe-');
    assert.equal(await page.locator('#head th[aria-sort="descending"]').getAttribute('data-key'), 'residentBytes');
    assert.equal(await page.locator('#detail-title').textContent(), `Group ${MEM_NAME}`);
    assert.ok(await detailInView(), 'a row opened from the URL is in view');

    // a group whose processes have all gone is hidden unless asked for: "N live of M", a toggle in the URL
    const last = SLEEPERS[SLEEPERS.length - 1];
    children.find((c) => c.spawnfile.endsWith(last))!.kill('SIGKILL');
    await page.waitForFunction((n) => document.getElementById('count')?.textContent === `${n - 1} live of ${n} groups`, groups, { timeout: 15_000 });
    assert.equal(await page.locator(`#rows tr[data-group="${last}"]`).count(), 0);
    assert.equal(await page.isVisible('#empty-toggle'), true);
    await page.check('#show-empty');
    assert.match(page.url(), /[?&]empty=1/);
    assert.equal(await page.locator(`#rows tr.empty[data-group="${last}"] td`).nth(9).textContent(), '0', 'its Procs cell');
    await page.uncheck('#show-empty');

    // phone width, dark then light; nothing wider than the screen
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(1500);
    await shot('phone-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('#detail-close').click();
    await page.waitForTimeout(1000);
    await shot('phone-light');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone screen`);

    // the exporter stops answering: the table dims and a banner says how long ago the last update was
    await page.setViewportSize({ width: 1400, height: 900 });
    process.kill(e.child.pid!, 'SIGSTOP');
    try {
      await page.waitForFunction(() => document.body.classList.contains('stale') && !document.getElementById('stale')!.hidden, undefined, { timeout: 20_000 });
      assert.match((await page.locator('#stale').textContent()) ?? '', /^Last update \d+s ago \(.*\): the exporter has not answered for \d+s.*, so the figures below are old\. Retrying…$/);
      // dimmed once the fade has run (the screenshot shows what a user sees then)
      await page.waitForFunction(() => Number(getComputedStyle(document.getElementById('table-wrap')!).opacity) < 0.5, undefined, { timeout: 5_000 });
      await shot('desktop-light-stale');
    } finally {
      process.kill(e.child.pid!, 'SIGCONT');
    }
    await page.waitForFunction(() => !document.body.classList.contains('stale') && document.getElementById('stale')!.hidden, undefined, { timeout: 40_000 });

    process.stdout.write(`# screenshots of the page: ${OUT_DIR}/{desktop-light,desktop-dark-services,desktop-dark-containers,phone-dark,phone-light,desktop-light-stale}.png\n`);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(offHost, []);
  } finally {
    await context.close();
  }
});
