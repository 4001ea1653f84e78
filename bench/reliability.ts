// The reliability suite's long form (npm run reliability): 5 minutes of 200 short-lived processes per
// second on the live /proc while the built exporter is scraped every second. Fails (exit 1) on any
// failed scrape, any counter that went down, or RSS at the end more than 10% above its value after
// the first minute (medians of 15 s of samples: single samples swing with the garbage collector).
//
//   npm run reliability [-- --reader native|ts] [--seconds 300] [--rate 200]
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
  const spawner = buildSpawner();
  if ('reason' in spawner) {
    console.error(`reliability: ${spawner.reason}`);
    return 1;
  }
  const prefix = 'npechurnlong';
  const ours = await startOurs(['-procnames', prefix], { NAMEDPROCESS_READER: reader });
  console.log(`reliability: ${seconds} s of ${rate} processes/s (each lives 1 s), ${reader} reader, a scrape every second`);
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
      progress: (l) => console.log(`  ${l}`),
    });
  } finally {
    ours.child.kill('SIGTERM');
  }
  const growth = (report.rssEndKiB / report.rssBaselineKiB - 1) * 100;
  console.log(`processes started: ${report.processesStarted}`);
  console.log(`scrapes: ${report.scrapes}, failed: ${report.failed.length}, counter decreases: ${report.decreases.length}`);
  const mib = (k: number) => `${(k / 1024).toFixed(1)} MiB`;
  const from = Math.min(60, seconds / 5);
  console.log(`RSS (median of 15 s of samples) after ${from} s: ${mib(report.rssBaselineKiB)}, at the end: ${mib(report.rssEndKiB)} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%); min ${mib(report.rssMinKiB)}, max ${mib(report.rssMaxKiB)}`);
  for (const f of report.failed.slice(0, 5)) console.log(`  failed: ${f}`);
  for (const d of report.decreases.slice(0, 5)) console.log(`  decrease: ${d}`);
  const ok = report.failed.length === 0 && report.decreases.length === 0 && growth <= 10 && report.sawChurnGroup;
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
