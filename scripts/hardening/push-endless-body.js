// Hand check of docs/hardening.md: node scripts/hardening/push-endless-body.js dist/src/main.js
// A receiver answering 500 with an endless chunked body; the exporter pushes every 1 s for 20 s.
const { spawn } = require('child_process');
const http = require('http');
const fs = require('fs');
const main = require('path').resolve(process.argv[2]);
let written = 0, requests = 0;
const srv = http.createServer((req, res) => {
  requests++; req.resume();
  req.on('end', () => {
    res.writeHead(500);
    const chunk = Buffer.alloc(64 * 1024, 'e'); chunk.write('receiver exploded\n');
    const pump = () => { while (!res.destroyed) { written += chunk.length; if (!res.write(chunk)) return void res.once('drain', pump); } };
    pump();
  });
});
const cfgFile = require('path').join(require('os').tmpdir(), 'npe-push-check.yml');
srv.listen(0, '127.0.0.1', () => {
  const port = srv.address().port;
  fs.writeFileSync(cfgFile, `process_names:\n  - name: "{{.Comm}}"\n    cmdline: ['.+']\nglobal:\n  scrape_interval: 1s\nremote_write:\n  - url: http://127.0.0.1:${port}/w\n    name: r\n    queue_config: {min_backoff: 100ms, max_backoff: 1s}\n`);
  const ex = spawn(process.execPath, [main, '-config.path', cfgFile, '-web.listen-address', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = ''; ex.stderr.on('data', (d) => (log += d));
  let maxRss = 0;
  const iv = setInterval(() => { try { maxRss = Math.max(maxRss, Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${ex.pid}/status`, 'utf8'))[1]) / 1024); } catch {} }, 200);
  setTimeout(() => {
    clearInterval(iv);
    console.log(`20 s: ${requests} requests answered 500 with endless bodies; the receiver wrote ${(written / 1048576).toFixed(1)} MB in all; exporter RSS max ${maxRss.toFixed(1)} MB`);
    console.log(log.split('\n').filter((l) => l.includes('remote_write r')).join('\n'));
    ex.kill('SIGTERM'); srv.closeAllConnections(); srv.close();
  }, 20000);
});
