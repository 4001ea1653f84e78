// The reliability suite's long form (npm run reliability): 5 minutes of 200 short-lived processes per
// second on the live /proc while the built exporter, started as the package's binary starts it, is scraped
// every second. Fails (exit 1) on any failed scrape, any counter that went down, RSS at the end more than
// 10% above its value after the first minute (medians of 15 s of samples: single samples swing with the
// garbage collector), and with distinct names on series that grow by more than 10% or outlive their
// processes by ten seconds.
//
//   npm run reliability [-- --reader native|ts] [--seconds 300] [--rate 200] [--names same|distinct]
//                       [--config none|file]
//
// --names same: every churn process has one name, grouped by -procnames.
// --names distinct: each has a name of its own, as one-off programs (cron jobs, scripts, compilers) do;
//   --config none runs the exporter with no flags (the built-in default groups by comm and removes a group
//   once its processes have gone); --config file with a config file whose rule groups by {{.Comm}} and sets
//   remove_empty_groups: true.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSpawner, runChurn, startOurs } from './churn';
import { loadNative } from '../src/proc/native';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

async function main(): Promise<number> {
  const reader = arg('reader', loadNative().addon ? 'native' : 'ts');
  const seconds = Number(arg('seconds', '300'));
  const rate = Number(arg('rate', '200'));
  const names = arg('names', 'same');
  const config = arg('config', 'none');
  if (names !== 'same' && names !== 'distinct') throw new Error(`--names must be same or distinct, got ${names}`);
  if (config !== 'none' && config !== 'file') throw new Error(`--config must be none or file, got ${config}`);
  const distinct = names === 'distinct';
  const spawner = buildSpawner();
  if ('reason' in spawner) {
    console.error(`reliability: ${spawner.reason}`);
    return 1;
  }
  const prefix = distinct ? 'npeone' : 'npechurnlong';
  const dir = mkdtempSync(path.join(tmpdir(), 'npe-reliability-'));
  let args = ['-procnames', prefix];
  if (distinct) {
    args = [];
    if (config === 'file') {
      const file = path.join(dir, 'config.yml');
      writeFileSync(file, 'remove_empty_groups: true\nprocess_names:\n  - name: "{{.Comm}}"\n    cmdline: [".+"]\n');
      args = ['-config.path', file];
    }
  }
  const ours = await startOurs(args, { NAMEDPROCESS_READER: reader });
  const how = distinct ? `each of its own name, ${config === 'file' ? 'a config grouping by {{.Comm}} with remove_empty_groups' : 'no flags'}` : 'one name';
  console.log(`reliability: ${seconds} s of ${rate} processes/s (each lives 1 s, ${how}), ${reader} reader, a scrape every second`);
  let report;
  try {
    report = await runChurn(spawner.bin, {
      seconds,
      perSecond: rate,
      lifeMs: 1000,
      scrapeEveryMs: 1000,
      baselineAtSeconds: Math.min(60, seconds / 5),
      port: ours.port,
      pid: ours.child.pid!,
      prefix,
      distinct,
      progress: (l) => console.log(`  ${l}`),
    });
  } finally {
    ours.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  const growth = (report.rssEndKiB / report.rssBaselineKiB - 1) * 100;
  const seriesGrowth = (report.seriesEnd / report.seriesBaseline - 1) * 100;
  console.log(`processes started: ${report.processesStarted}`);
  console.log(`scrapes: ${report.scrapes}, failed: ${report.failed.length}, counter decreases: ${report.decreases.length}`);
  const mib = (k: number) => `${(k / 1024).toFixed(1)} MiB`;
  const from = Math.min(60, seconds / 5);
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  console.log(`RSS (median of 15 s of samples) after ${from} s: ${mib(report.rssBaselineKiB)}, at the end: ${mib(report.rssEndKiB)} (${pct(growth)}); min ${mib(report.rssMinKiB)}, max ${mib(report.rssMaxKiB)}`);
  console.log(`series (median of 15 s of scrapes) after ${from} s: ${report.seriesBaseline}, at the end: ${report.seriesEnd} (${pct(seriesGrowth)})`);
  if (distinct) console.log(`series naming a churn process 10 s after the last one exited: ${report.leftoverSeries}`);
  for (const f of report.failed.slice(0, 5)) console.log(`  failed: ${f}`);
  for (const d of report.decreases.slice(0, 5)) console.log(`  decrease: ${d}`);
  const flat = !distinct || (seriesGrowth <= 10 && report.leftoverSeries === 0);
  const ok = report.failed.length === 0 && report.decreases.length === 0 && growth <= 10 && report.sawChurnGroup && flat;
  console.log(ok ? 'reliability: ok' : 'reliability: FAILED');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`reliability: ${(e as Error).message}`);
    process.exit(1);
  },
);
