// write_relabel_configs, applied as Prometheus's relabel.Process does: rules in order over a series'
// labels; `keep`/`drop` can discard the series; labels left with an empty value are removed.
import { createHash } from 'node:crypto';
import type { RelabelRule } from '../config/remote-write';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Go's regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. As in Go, `$1x` names the group "1x"
 * (absent, so empty): write `${1}x`.
 */
function expand(template: string, match: readonly string[], names: readonly string[]): string {
  if (!template.includes('$')) return template;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    let name: string;
    let end: number;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      name = close < 0 ? '' : template.slice(i + 2, close);
      end = close + 1;
      if (close < 0 || !/^[A-Za-z0-9_]+$/.test(name)) {
        out += '$'; // not a reference: Go keeps the `$` and goes on
        i++;
        continue;
      }
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (m === null) {
        out += '$';
        i++;
        continue;
      }
      name = m[0];
      end = i + 1 + name.length;
    }
    if (/^\d+$/.test(name)) {
      const k = Number(name);
      if (k < match.length) out += match[k];
    } else {
      const k = names.indexOf(name);
      if (k > 0 && k < match.length) out += match[k];
    }
    i = end;
  }
  return out;
}

/** Applies the rules to a series' labels (a new map); null when the series is dropped. */
export function relabel(labels: ReadonlyMap<string, string>, rules: readonly RelabelRule[]): Map<string, string> | null {
  const ls = new Map(labels);
  for (const r of rules) {
    const val = r.sourceLabels.map((n) => ls.get(n) ?? '').join(r.separator);
    switch (r.action) {
      case 'keep':
        if (!r.regex.test(val)) return null;
        break;
      case 'drop':
        if (r.regex.test(val)) return null;
        break;
      case 'replace': {
        const m = r.regex.findSubmatch(val);
        if (m === null) break;
        const target = expand(r.targetLabel, m, r.regex.subexpNames);
        if (!LABEL_NAME.test(target)) break;
        const res = expand(r.replacement, m, r.regex.subexpNames);
        if (res === '') ls.delete(target);
        else ls.set(target, res);
        break;
      }
      case 'lowercase':
        ls.set(r.targetLabel, val.toLowerCase());
        break;
      case 'uppercase':
        ls.set(r.targetLabel, val.toUpperCase());
        break;
      case 'hashmod': {
        // Go: binary.BigEndian.Uint64(md5(val)[8:]) % modulus
        const sum = createHash('md5').update(val).digest();
        ls.set(r.targetLabel, String(sum.readBigUInt64BE(8) % BigInt(r.modulus)));
        break;
      }
      case 'labelmap':
        for (const [name, value] of [...ls]) {
          const m = r.regex.findSubmatch(name);
          if (m !== null) ls.set(expand(r.replacement, m, r.regex.subexpNames), value);
        }
        break;
      case 'labeldrop':
        for (const name of [...ls.keys()]) if (r.regex.test(name)) ls.delete(name);
        break;
      case 'labelkeep':
        for (const name of [...ls.keys()]) if (!r.regex.test(name)) ls.delete(name);
        break;
    }
  }
  for (const [name, value] of [...ls]) if (value === '') ls.delete(name);
  return ls;
}
