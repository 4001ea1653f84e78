// The parts of the `yaml` package the config and web-config loaders use, loaded at the first call: an
// exporter started without -config.path or -web.config.file never parses YAML, and the package costs
// about 8 MB of RSS once loaded (about 1 MB of it live heap). Once start-up has read its files,
// releaseYaml() lets the garbage collector have the package back; a reload loads it again.
import * as path from 'node:path';
import type * as Yaml from 'yaml';

export type { Node, Scalar, Document, YAMLMap } from 'yaml';

let loaded: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  if (loaded === undefined) loaded = require('yaml') as typeof Yaml;
  return loaded;
}

export const parseDocument = ((...a: Parameters<typeof Yaml.parseDocument>) => yaml().parseDocument(...a)) as typeof Yaml.parseDocument;
export const isMap = ((n: unknown) => yaml().isMap(n)) as typeof Yaml.isMap;
export const isSeq = ((n: unknown) => yaml().isSeq(n)) as typeof Yaml.isSeq;
export const isScalar = ((n: unknown) => yaml().isScalar(n)) as typeof Yaml.isScalar;
export const isAlias = ((n: unknown) => yaml().isAlias(n)) as typeof Yaml.isAlias;
/** `new LineCounter()` builds the package's own LineCounter. */
export const LineCounter = function LineCounter() {
  return new (yaml().LineCounter)();
} as unknown as typeof Yaml.LineCounter;
export type LineCounter = Yaml.LineCounter;

/** Forgets the package: the module cache lets go of its modules, and the next call loads it afresh. */
export function releaseYaml(): void {
  if (loaded === undefined) return;
  loaded = undefined;
  // every module of the package lives in the folder of its entry point (dist/)
  const dir = path.dirname(require.resolve('yaml')) + path.sep;
  for (const file of Object.keys(require.cache)) if (file.startsWith(dir)) delete require.cache[file];
  module.children = module.children.filter((child) => !child.filename.startsWith(dir));
}
