// The page's static files: the HTML, CSS and script under src/ui/, and uPlot's build, copied into
// dist/ui/ by scripts/copy-ui.js at build time so they ship inside the package. Read once at start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** dist/ui, next to the compiled dist/src */
const ASSET_DIR = join(__dirname, '..', '..', 'ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const ASSET_FILES = ['index.html', 'page.css', 'page.js', 'icon.svg', 'uPlot.iife.min.js', 'uPlot.min.css'] as const;

export interface Asset {
  body: Buffer;
  contentType: string;
}

/** Every asset by file name; throws an Error naming the missing files. */
export function loadAssets(dir: string = ASSET_DIR): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const missing: string[] = [];
  for (const name of ASSET_FILES) {
    try {
      out.set(name, { body: readFileSync(join(dir, name)), contentType: TYPES[name.slice(name.lastIndexOf('.'))] });
    } catch {
      missing.push(name);
    }
  }
  if (missing.length > 0) throw new Error(`the page's files ${missing.join(', ')} are missing from ${dir} (npm run build copies them there)`);
  return out;
}
