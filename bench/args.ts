// The bench's command line: `npm run bench -- --quick`, `node dist/bench/run.js --sizes=1000,10000`.
import { ALL_CONTENDERS, type ContenderId } from './contenders';

export interface BenchOptions {
  quick: boolean;
  sizes: number[];
  scrapes: number;
  /** cap on scrapes for workloads beyond 10,000 processes (the reference takes 20 s a scrape at 30,000) */
  bigScrapes: number;
  /** scrapes for workloads of at most 500 processes (and the idle host): their scrapes are short and noisy */
  smallScrapes: number;
  /** cap on scrapes for the synthetic tree (the reference and the TS reader take 30 s a scrape at 100,000) */
  syntheticScrapes: number;
  /** rewrite the summary in bench/README.md from this run */
  updateReadme: boolean;
  /** no measuring: re-render report.md and the chart from <out>/report.json */
  renderOnly: boolean;
  contenders: ContenderId[];
  names: number;
  /** the thread-heavy workloads, one per shape */
  threadsShapes: Array<{ procs: number; threads: number }>;
  churn: { base: number; perSecond: number; lifeMs: number };
  syntheticSize: number;
  renderSeries: number[];
  skipIdle: boolean;
  skipThreads: boolean;
  skipChurn: boolean;
  skipSynthetic: boolean;
  skipRender: boolean;
  profile: boolean;
  out: string;
  /** per exporter start-up (priming cycle) */
  startTimeoutS: number;
}

export const USAGE = `npm run bench -- [flags]          (or: node dist/bench/run.js [flags])

Measures what a scrape costs on this host: ours (native scanner, TS reader), the reference exporter
(/usr/bin/prometheus-process-exporter) and a bare C floor loop, on workloads it creates and removes.

  --quick                tiny sizes and 2 scrapes: proves the bench works, in seconds
  --sizes=500,1000,10000,30000   idle process counts (capped by pid_max; raised as root if needed, then restored)
  --scrapes=N            scrapes per contender and workload (default 7; 30 on the idle host and up to
                         500 processes, at most 5 beyond 10,000 processes and 3 on the synthetic tree)
  --contenders=native,ts,reference,floor
  --names=M              comm names the idle processes share (default 50)
  --threads-shape=1000x20,100x200  processes x threads of each thread-heavy workload
  --churn=BASE,RATE,LIFE_MS  idle base, new processes per second, their lifetime (default 1000,500,1000)
  --synthetic-size=N     processes in the synthetic tree read through -procfs (default 100000)
  --render-series=100000,1000000   series targets for the exposition benchmark
  --skip-idle --skip-threads --skip-churn --skip-synthetic --skip-render
  --profile / --no-profile   CPU profile of ours at the target size (default on, off with --quick)
  --out=DIR              where report.json, report.md and cpu-per-scrape.svg go (default bench/out)
  --update-readme        also rewrite the "Latest results" of bench/README.md (and bench/cpu-per-scrape.svg)
  --render-only          measure nothing: re-render report.md and the chart from the out dir's report.json
  --help
`;

function list(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function count(v: string, flag: string): number {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: not a count: ${v}`);
  return n;
}

export function parseArgs(argv: string[], defaultOut: string): BenchOptions | 'help' {
  const quick = argv.includes('--quick');
  const o: BenchOptions = quick
    ? {
        quick,
        sizes: [200, 500],
        scrapes: 2,
        bigScrapes: 2,
        smallScrapes: 2,
        syntheticScrapes: 2,
        updateReadme: false,
        renderOnly: false,
        contenders: [...ALL_CONTENDERS],
        names: 10,
        threadsShapes: [{ procs: 20, threads: 5 }],
        churn: { base: 100, perSecond: 50, lifeMs: 500 },
        syntheticSize: 2000,
        renderSeries: [10_000, 50_000],
        skipIdle: false,
        skipThreads: false,
        skipChurn: false,
        skipSynthetic: false,
        skipRender: false,
        profile: false,
        out: defaultOut,
        startTimeoutS: 120,
      }
    : {
        quick,
        sizes: [500, 1000, 10_000, 30_000],
        scrapes: 7,
        bigScrapes: 5,
        smallScrapes: 30,
        syntheticScrapes: 3,
        updateReadme: false,
        renderOnly: false,
        contenders: [...ALL_CONTENDERS],
        names: 50,
        // many small runtimes, and a few JVM-like ones with hundreds of threads each
        threadsShapes: [
          { procs: 1000, threads: 20 },
          { procs: 100, threads: 200 },
        ],
        churn: { base: 1000, perSecond: 500, lifeMs: 1000 },
        syntheticSize: 100_000,
        renderSeries: [100_000, 1_000_000],
        skipIdle: false,
        skipThreads: false,
        skipChurn: false,
        skipSynthetic: false,
        skipRender: false,
        profile: true,
        out: defaultOut,
        startTimeoutS: 600,
      };
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? '' : arg.slice(eq + 1);
    switch (flag) {
      case '--quick':
        break;
      case '--help':
      case '-h':
        return 'help';
      case '--sizes':
        o.sizes = list(value).map((v) => count(v, flag)).sort((a, b) => a - b);
        break;
      case '--scrapes':
        o.scrapes = Math.max(1, count(value, flag));
        o.bigScrapes = Math.min(o.bigScrapes, o.scrapes);
        o.smallScrapes = Math.min(o.smallScrapes, o.scrapes);
        o.syntheticScrapes = Math.min(o.syntheticScrapes, o.scrapes);
        break;
      case '--contenders': {
        const ids = list(value);
        for (const id of ids) if (!ALL_CONTENDERS.includes(id as ContenderId)) throw new Error(`--contenders: unknown contender ${id} (${ALL_CONTENDERS.join(', ')})`);
        o.contenders = ids as ContenderId[];
        break;
      }
      case '--names':
        o.names = Math.max(1, count(value, flag));
        break;
      case '--threads-shape': {
        o.threadsShapes = list(value).map((v) => {
          const m = /^(\d+)x(\d+)$/.exec(v);
          if (!m) throw new Error('--threads-shape: PROCSxTHREADS[,PROCSxTHREADS...], e.g. 1000x20,100x200');
          return { procs: Number(m[1]), threads: Number(m[2]) };
        });
        break;
      }
      case '--churn': {
        const [base, rate, life] = list(value).map((v) => count(v, flag));
        if (life === undefined) throw new Error('--churn: BASE,RATE,LIFE_MS, e.g. 1000,500,1000');
        o.churn = { base, perSecond: rate, lifeMs: life };
        break;
      }
      case '--synthetic-size':
        o.syntheticSize = count(value, flag);
        break;
      case '--render-series':
        o.renderSeries = list(value).map((v) => count(v, flag));
        break;
      case '--skip-idle':
        o.skipIdle = true;
        break;
      case '--skip-threads':
        o.skipThreads = true;
        break;
      case '--skip-churn':
        o.skipChurn = true;
        break;
      case '--skip-synthetic':
        o.skipSynthetic = true;
        break;
      case '--skip-render':
        o.skipRender = true;
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--no-profile':
        o.profile = false;
        break;
      case '--update-readme':
        o.updateReadme = true;
        break;
      case '--render-only':
        o.renderOnly = true;
        break;
      case '--out':
        o.out = value;
        break;
      case '--start-timeout':
        o.startTimeoutS = count(value, flag);
        break;
      default:
        throw new Error(`unknown flag ${arg}\n\n${USAGE}`);
    }
  }
  return o;
}
