// Hand check of docs/hardening.md: node scripts/hardening/naming.js dist/src/main.js native|ts
// Three processes with 1.7 MB cmdlines named by a capture, then a SIGHUP that changes the name template;
// /-/healthy polled every 100 ms throughout; then /api/processes over them.
const { spawn } = require('child_process');
const http = require('http');
const fs = require('fs');
const path = require('path');
const [main0, reader] = process.argv.slice(2); const main = path.resolve(main0);
const { FakeProcfs } = require(path.join(path.dirname(main), '..', 'test', 'fakeproc.js'));
const port = 20000 + Math.floor(Math.random() * 1000);
const get = (p) => new Promise((res) => { const t = Date.now(); let n = 0; const r = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: 60000 }, (s) => { s.on('data', (d) => (n += d.length)); s.on('end', () => res([Date.now() - t, n])); }); r.on('error', () => res([-1, 0])); });
(async () => {
  const tree = await FakeProcfs.create();
  await tree.set([1, 2, 3].map((i) => ({ pid: 100 + i, comm: 'python3', cmdline: ['python3', `job-${i}.py`, ...Array.from({ length: 14 }, () => String(i).repeat(121_000))] })));
  const cfg = path.join(require('os').tmpdir(), 'npe-naming-check.yml');
  const rule = (p) => `process_names:\n  - name: '${p}{{.Matches.script}}'\n    cmdline: ['python3 (?P<script>.*)']\n`;
  fs.writeFileSync(cfg, rule('a-'));
  const ex = spawn(process.execPath, [main, '-procfs', tree.root, '-config.path', cfg, '-web.page-expose-cmdlines', '-web.listen-address', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NAMEDPROCESS_READER: reader } });
  let log = ''; ex.stderr.on('data', (d) => (log += d));
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${ex.pid}/status`, 'utf8'))[1]) / 1024;
  const t0 = Date.now(); let maxH = 0, maxRss = 0, hupAt = 0; const phases = {};
  let named = false, renamed = false;
  while (Date.now() - t0 < 120000) {
    const [h] = await get('/-/healthy');
    if (h >= 0) maxH = Math.max(maxH, h);
    try { maxRss = Math.max(maxRss, rss()); } catch {}
    if (h >= 0 && Date.now() % 5 < 3) {}
    const [ms, n] = h >= 0 ? await get('/metrics') : [0, 0];
    if (h >= 0) {
      const m = await new Promise((res) => http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (s) => { let b = ''; s.on('data', (d) => (b += d)); s.on('end', () => res(b)); }).on('error', () => res('')));
      const groups = [...m.matchAll(/namedprocess_namegroup_num_procs\{groupname="([^"]*)"\} 1/g)].map((x) => x[1]);
      if (!named && groups.filter((g) => g.startsWith('a-')).length === 3) { named = true; phases.named = Date.now() - t0; fs.writeFileSync(cfg, rule('b-')); ex.kill('SIGHUP'); hupAt = Date.now(); }
      if (named && !renamed && groups.filter((g) => g.startsWith('b-')).length === 3) { renamed = true; phases.renamed = Date.now() - hupAt; break; }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const [pt, pn] = await get('/api/processes?group=' + encodeURIComponent('x'));
  const body = await new Promise((res) => http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (s) => { let b = ''; s.on('data', (d) => (b += d)); s.on('end', () => res(b)); }));
  const g = /groupname="(b-[^"]*)"/.exec(body);
  const [at, an] = g ? await get('/api/processes?group=' + encodeURIComponent(g[1])) : [0, 0];
  console.log(`${reader}: named after ${phases.named} ms, renamed ${phases.renamed} ms after SIGHUP; /-/healthy max ${maxH} ms; RSS max ${maxRss.toFixed(1)} MB; /api/processes ${an} bytes in ${at} ms, RSS after ${rss().toFixed(1)} MB`);
  ex.kill('SIGTERM');
  await new Promise((r) => ex.once('exit', r));
  await tree.remove();
})();
