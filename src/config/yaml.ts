// The parts of the `yaml` package the config and web-config loaders use, loaded at the first call: an
// exporter started without -config.path or -web.config.file never parses YAML, and the package costs
// about 8 MB of RSS once loaded.
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
