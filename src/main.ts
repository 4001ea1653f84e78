#!/usr/bin/env node
// Entry point of the `process-exporter` / `namedprocess-exporter` binaries: flags, config, collector,
// then either the HTTP server or -once-to-stdout-delay. Start-up problems are one log line and exit 1.
import { parseCommandLine } from './cli';
import { createLogger, type Logger } from './log';
import { buildNamer, ProcessCollector, StartupError } from './collector';
import { selectScanner, ReaderSelectionError } from './proc/select';
import { startServer } from './server';
import { negotiate } from './expose/content';
import { VERSION } from './version';
import { CYCLE_GRACE_MS, endProcess, settleWithin } from './shutdown';

/** Set at shutdown: a cycle did not finish in time, so a /proc read may be stuck in the kernel. */
let stuck = false;
/** The signal that asked us to stop. */
let stopSignal: NodeJS.Signals | undefined;

async function main(): Promise<number> {
  const cli = parseCommandLine(process.argv.slice(2), { version: VERSION });
  if (cli.kind === 'exit') {
    process.stdout.write(cli.stdout);
    process.stderr.write(cli.stderr);
    return cli.code;
  }
  const options = cli.options;
  const log = createLogger({ debug: options.debug });
  for (const w of cli.warnings) log.info(w);

  let collector: ProcessCollector;
  try {
    const namer = await buildNamer(options, log);
    log.info(`Reading metrics from ${options.procfs} ${namer.description}`);
    const { scanner, reason } = selectScanner({ procfs: options.procfs });
    log.info(`Reading /proc with the ${scanner.kind === 'native' ? 'native (C++)' : 'TypeScript'} scanner: ${reason}`);
    collector = await ProcessCollector.create(options, { log, scanner, namer, version: VERSION });
  } catch (e) {
    if (e instanceof StartupError || e instanceof ReaderSelectionError) {
      log.error((e as Error).message);
      return 1;
    }
    throw e;
  }

  if (options.onceToStdoutDelayMs !== 0) return onceToStdout(collector, options.onceToStdoutDelayMs);

  let server;
  try {
    server = await startServer({
      listenAddress: options.listenAddress,
      telemetryPath: options.telemetryPath,
      webConfigFile: options.webConfigFile,
      log,
      scrape: async (req) => {
        const { format, contentType } = negotiate(req.accept);
        return { body: await collector.render(format), contentType };
      },
    });
  } catch (e) {
    log.error(`Failed to start the server: ${(e as Error).message}`);
    return 1;
  }
  // the port is open; the priming cycle runs now and scrapes that arrive meanwhile wait for it
  collector.prime().catch((e) => log.error(`priming cycle failed: ${(e as Error).message}`));
  return waitForSignal(log, async () => {
    // in-flight responses get the server's grace period; a cycle still running gets a little more
    await server.close();
    stuck = !(await settleWithin(collector.running, CYCLE_GRACE_MS));
    collector.close();
  });
}

// -once-to-stdout-delay (SPEC §5.2): prime, scrape once (thrown away), wait, print a scrape, exit 0.
async function onceToStdout(collector: ProcessCollector, delayMs: number): Promise<number> {
  await collector.prime();
  await collector.collect();
  await new Promise((r) => setTimeout(r, Math.max(0, delayMs)));
  const text = await collector.render('text');
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  collector.close();
  return 0;
}

function waitForSignal(log: Logger, shutdown: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      stopSignal = signal;
      log.info('Shutting down the server');
      shutdown().then(
        () => resolve(0),
        (e) => {
          log.error(`Server Shutdown Failed: ${(e as Error).message}`);
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

main().then(
  (code) => endProcess(code, stuck, stopSignal),
  (e) => {
    // a bug: say so in one line, keep the stack for -debug users in the log
    process.stderr.write(`namedprocess-exporter: internal error: ${(e as Error)?.message ?? e}\n`);
    if (process.env.NAMEDPROCESS_DEBUG_STACK) process.stderr.write(`${(e as Error)?.stack}\n`);
    process.exit(70);
  },
);
