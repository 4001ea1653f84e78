// The push modules load only when the config file may configure a push: a file the text check rules
// out must be one the push config parser finds nothing in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { mayConfigurePush } from '../src/push/wanted';
import { parsePushConfig } from '../src/config/remote-write';
import { ConfigError } from '../src/config/load';

test('mayConfigurePush: only files that cannot hold global or remote_write are ruled out', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'push-wanted-'));
  try {
    const cases: Array<[string, boolean]> = [
      ['process_names:\n  - name: "{{.Comm}}"\n    cmdline:\n    - \'.+\'\n', false],
      ['', false],
      ['remote_write:\n  - url: http://127.0.0.1:9/w\n', true],
      ['global:\n  scrape_interval: bad\n', true],
      ['process_names: []\n"remote\\u005fwrite": []\n', true],
      ['process_names: []\n"glob\\x61l": {scrape_interval: 0s}\n', true],
    ];
    for (const [i, [text, want]] of cases.entries()) {
      const file = path.join(dir, `c${i}.yaml`);
      await writeFile(file, text);
      assert.equal(await mayConfigurePush(file), want, text);
      if (!want) assert.equal(parsePushConfig(text, file), null, text);
    }
    // escaped keys are keys: the parser does see them, so the check must not rule them out
    assert.throws(() => parsePushConfig('"glob\\x61l": {scrape_interval: 0s}\n', 'c.yaml'), ConfigError);
    // the loader words a missing file itself
    assert.equal(await mayConfigurePush(path.join(dir, 'missing.yaml')), true);
    assert.equal(await mayConfigurePush(''), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
