// Hand check of docs/hardening.md: node scripts/hardening/pipeline.js dist/src/main.js
// One connection pipelines 20,000 GET /metrics in one write and never reads for 30 s; /-/healthy polled.
const { spawn } = require('child_process');
const net = require('net');
const http = require('http');
const fs = require('fs');
const main = process.argv[2];
const port = 19000 + Math.floor(Math.random() * 1000);
const ex = spawn(process.execPath, [main, '-web.listen-address', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
let log = ''; ex.stderr.on('data', (d) => (log += d));
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${ex.pid}/status`, 'utf8'))[1]) / 1024;
const get = (path) => new Promise((res) => { const t = Date.now(); const r = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 60000 }, (s) => { s.resume(); s.on('end', () => res(Date.now() - t)); }); r.on('error', () => res(-1)); });
(async () => {
  for (;;) { await new Promise((r) => setTimeout(r, 200)); if ((await get('/-/healthy')) >= 0 && log.includes('First update')) break; }
  await get('/metrics');
  console.log('RSS before', rss().toFixed(1), 'MB');
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  sock.pause();
  sock.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(20000));
  const t0 = Date.now(); let maxH = 0, maxM = 0, maxRss = 0, n = 0;
  while (Date.now() - t0 < 30000) {
    const [h, m] = await Promise.all([get('/-/healthy'), get('/metrics')]);
    maxH = Math.max(maxH, h); maxM = Math.max(maxM, m); maxRss = Math.max(maxRss, rss()); n++;
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`${n} probes over 30 s: /-/healthy max ${maxH} ms, /metrics max ${maxM} ms, RSS max ${maxRss.toFixed(1)} MB`);
  sock.destroy(); ex.kill('SIGTERM');
})();
