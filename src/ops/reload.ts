// Config reload (SIGHUP, POST /-/reload): the config file is read again and a new namer built beside the
// one in use; only when that succeeds does the collector switch to it, from its next cycle. A file that
// fails to load changes nothing: the last good config keeps serving and the reload gauges say so.
import type { Logger } from '../base/log';
import { FILE_SETTINGS, type Options } from '../settings/registry';
import { resolveConfig, type ProcessCollector } from '../collector/collector';
import { errorMessage, StartupError } from '../base/errors';

export type ReloadResult = { ok: true } | { ok: false; error: string };

export class ConfigReloader {
  private running: Promise<ReloadResult> | null = null;
  private queued: Promise<ReloadResult> | null = null;

  /**
   * @param given the options as the command line gave them (before the config file's settings), so a
   *   setting removed from the file goes back to its default
   * @param explicit the options set by flags: they keep winning over the file
   */
  constructor(
    private readonly collector: ProcessCollector,
    private readonly given: Options,
    private readonly explicit: ReadonlyArray<keyof Options>,
    private readonly log: Logger,
  ) {}

  /**
   * One reload at a time. A request that comes while one runs waits for a reload that starts after it
   * (so it sees the file as it is now); requests that come meanwhile share that one.
   */
  reload(trigger: string): Promise<ReloadResult> {
    if (this.queued !== null) return this.queued;
    if (this.running !== null) {
      this.queued = this.running.then(() => {
        this.queued = null;
        return this.start(trigger);
      });
      return this.queued;
    }
    return this.start(trigger);
  }

  private start(trigger: string): Promise<ReloadResult> {
    this.running = this.run(trigger).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(trigger: string): Promise<ReloadResult> {
    const file = this.given.configPath;
    if (file === '') {
      // -procnames / -namemapping / the default: nothing outside the command line to re-read
      this.log.info('Reload requested; there is no config file (-config.path), nothing changed', { trigger });
      this.collector.recordReload(true);
      return { ok: true };
    }
    let next;
    try {
      next = await resolveConfig(this.given, this.log, this.explicit);
    } catch (e) {
      const error = e instanceof StartupError ? e.message : `error reading config file: ${errorMessage(e)}`;
      this.log.error('Error reloading the config file, the last good one stays in force', { trigger, file, err: error });
      this.collector.recordReload(false);
      return { ok: false, error };
    }
    // a setting the file holds but a reload cannot change (procfs_path: the scanner stays on the tree it opened)
    const current = this.collector.options;
    for (const [name, setting] of FILE_SETTINGS) {
      const was = current[setting.key];
      const now = next.options[setting.key];
      if (setting.reloadable || was === now) continue;
      this.log.warn(`${name} changed: a restart is needed to apply it; the rest of the config is applied`, {
        file,
        [setting.key]: String(was),
        [`new_${setting.key}`]: String(now),
      });
    }
    this.collector.reconfigure(next);
    this.collector.recordReload(true);
    this.log.info('Completed loading of configuration file', { trigger, file });
    return { ok: true };
  }
}
