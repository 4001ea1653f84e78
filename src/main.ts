#!/usr/bin/env node
// Entry point of the `process-exporter` / `namedprocess-exporter` binaries: flags, config, collector,
// then either the HTTP server or -once-to-stdout-delay. Start-up problems are one log line and exit 1.
// SIGHUP (and POST /-/reload with -web.enable-lifecycle) reloads the config file.
import { parseCommandLine } from './cli/flags';
import { createLogger, formatLogLine, type LogFormat, type Logger } from './base/log';
import { resolveConfig, ProcessCollector } from './collector/collector';
import { ConfigReloader } from './ops/reload';
import { lifecycleRoutes } from './ops/lifecycle';
import { selectScanner, ReaderSelectionError } from './proc/select';
import { accessWarning, procAccess } from './proc/access';
import { startServer } from './server';
import type * as PushModule from './push';
import { mayConfigurePush } from './push/wanted';
import { negotiate } from './expose/content';
import { BUILD, VERSION } from './base/version';
import { HistoryStore } from './history/store';
import { createPageRoutes } from './page/routes';
import { releaseYaml } from './config/yaml';
import { loadNative } from './proc/native';
import { CYCLE_GRACE_MS, endProcess, settleWithin } from './runtime/shutdown';
import { heapStepWithExposedGc } from './runtime/heap-step';
import { errorMessage, StartupError } from './base/errors';
import { stuckReads } from './config/bounded-read';

// the format of the last-resort error line, once the flags are known
let logFormat: LogFormat = 'logfmt';
/** Set at shutdown: a cycle did not finish in time, so a /proc read may be stuck in the kernel. */
let stuck = false;
/** The signal that asked us to stop. */
let stopSignal: NodeJS.Signals | undefined;

async function main(): Promise<number> {
  const cli = parseCommandLine(process.argv.slice(2), { version: VERSION, ...BUILD });
  if (cli.kind === 'exit') {
    process.stdout.write(cli.stdout);
    process.stderr.write(cli.stderr);
    return cli.code;
  }
  const given = cli.options;
  logFormat = given.logFormat;
  const log = createLogger({ level: given.logLevel, format: given.logFormat });
  // a SIGHUP during start-up (systemd's ExecReload) must not end the process: the config being loaded is current
  let onHangup = () => log.info('Received SIGHUP during start-up; the config being loaded is the current one');
  process.on('SIGHUP', () => onHangup());
  for (const w of cli.warnings) log.warn(w);
  // Node's own warnings (deprecations, listener leaks) would print as free text: they go through the log
  process.removeAllListeners('warning');
  process.on('warning', (w) => log.warn(w.message, { warning: w.name }));

  let collector: ProcessCollector;
  try {
    const { namer, options } = await resolveConfig(given, log, cli.given);
    log.info(`Reading metrics from ${options.procfs} ${namer.description}`);
    const { scanner, reason } = selectScanner({ procfs: options.procfs });
    log.info(`Reading /proc with the ${scanner.kind === 'native' ? 'native (C++)' : 'TypeScript'} scanner: ${reason}`);
    const unreadable = accessWarning(procAccess(options.procfs));
    if (unreadable !== null) log.warn(unreadable);
    collector = await ProcessCollector.create(options, { log, scanner, namer, version: VERSION, ...BUILD });
  } catch (e) {
    if (e instanceof StartupError || e instanceof ReaderSelectionError) {
      log.error(errorMessage(e));
      return 1;
    }
    throw e;
  }
  // launched with --expose-gc (bin/namedprocess-exporter), the heap is collected as a cycle starts once it
  // has grown by a step since the last collection (src/runtime/heap-step.ts)
  const heap = heapStepWithExposedGc();
  if (heap) collector.onCycleStart(() => void heap.collectIfGrown());
  // remote_write in the config file: checked now, started once the server is up (docs/remote-write.md)
  let push: PushModule.Pusher | null = null;
  try {
    const o = collector.options;
    if (o.onceToStdoutDelayMs === 0 && (await mayConfigurePush(o.configPath))) {
      push = await (require('./push') as typeof PushModule).pushFromConfig(o.configPath, { collector, log, version: VERSION });
    }
  } catch (e) {
    if (!(e instanceof StartupError)) throw e;
    log.error(e.message);
    return 1;
  }

  if (given.onceToStdoutDelayMs !== 0) return onceToStdout(collector, given.onceToStdoutDelayMs);

  const reloader = new ConfigReloader(collector, given, cli.given, log);
  onHangup = () => {
    log.info('Received SIGHUP, reloading the config');
    void reloader.reload('SIGHUP');
  };

  // the page at / and its data: history rides on every cycle, whoever triggered it
  const history = new HistoryStore();
  collector.onCycle(history.record);
  const pageRoutes = createPageRoutes({
    collector,
    history,
    log,
    procfs: collector.options.procfs,
    telemetryPath: given.telemetryPath,
    intervalMs: given.pageIntervalMs,
    exposeCmdlines: given.pageExposeCmdlines,
    username: (uid) => collector.username(uid),
  });

  let server;
  try {
    server = await startServer({
      listenAddress: given.listenAddress,
      telemetryPath: given.telemetryPath,
      webConfigFile: given.webConfigFile,
      log,
      routes: [
        ...lifecycleRoutes({
          ready: () => collector.latest !== null,
          reload: given.enableLifecycle ? (trigger) => reloader.reload(trigger) : null,
        }),
        ...pageRoutes,
      ],
      scrape: async (req) => {
        const { format, contentType } = negotiate(req.accept);
        return { body: await collector.render(format, req.receivedAtMs), contentType };
      },
    });
  } catch (e) {
    log.error(`Failed to start the server: ${errorMessage(e)}`);
    return 1;
  }
  // the config and web config files are read: the YAML parser is not needed until a reload
  releaseYaml();
  // the port is open; the priming cycle runs now and scrapes that arrive meanwhile wait for it
  collector.prime().catch((e) => log.error(`priming cycle failed: ${errorMessage(e)}`));
  push?.start();
  return waitForSignal(log, async () => {
    // in-flight responses get the server's grace period and the push its flush time, side by side; a
    // cycle still running gets a little more
    await Promise.all([server.close(), push?.stop((require('./push') as typeof PushModule).SHUTDOWN_FLUSH_MS)]);
    stuck = !(await settleWithin(collector.running, CYCLE_GRACE_MS)) || stuckReads() > 0;
    collector.close();
  });
}

// -once-to-stdout-delay (docs/behaviour.md#first-sight): prime, scrape once (thrown away), wait, print a scrape, exit 0.
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
          log.error(`Server Shutdown Failed: ${errorMessage(e)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

main().then(
  (code) => endProcess(code, stuck, stopSignal, (c) => loadNative().addon?.exitNow?.(c)),
  (e) => {
    // a bug: say so in one line; the stack only when asked for
    const stack = process.env.NAMEDPROCESS_DEBUG_STACK ? String((e as Error)?.stack) : undefined;
    process.stderr.write(formatLogLine(logFormat, 'error', 'internal error', { err: errorMessage(e), stack }));
    process.exit(70);
  },
);
