// The bound on label values: any local user decides what a group name built from cmdline captures, a
// thread name or a wchan holds, and one megabyte-long value repeated in every series of a group would
// make a scrape too big to build. A longer value is cut to a prefix plus a hash of the whole value, so
// two long values that share the prefix still name two series.
import type * as Crypto from 'node:crypto';

/** The longest label value served, in UTF-16 code units (what JS string lengths count). */
export const MAX_LABEL_VALUE_LENGTH = 256;
const HASH_CHARS = 12;
// prefix + '…#' + hash fits in the bound
const PREFIX_LENGTH = MAX_LABEL_VALUE_LENGTH - 2 - HASH_CHARS;

export type BoundedLabel = 'groupname' | 'threadname' | 'wchan';

/** The value, or its cut form `<prefix>…#<12 hex digits of its SHA-256>` when it is too long. */
function cutLabelValue(value: string): string {
  if (value.length <= MAX_LABEL_VALUE_LENGTH) return value;
  let end = PREFIX_LENGTH;
  // never split a surrogate pair
  const c = value.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  // node:crypto (about 2 MB resident) is loaded only by the first value that needs cutting
  const { createHash } = require('node:crypto') as typeof Crypto;
  const hash = createHash('sha256').update(value, 'utf8').digest('hex').slice(0, HASH_CHARS);
  return `${value.slice(0, end)}…#${hash}`;
}

/** Cuts label values and counts the cuts per label (served as namedprocess_exporter_label_values_cut_total). */
export class LabelBound {
  readonly cuts: Record<BoundedLabel, number> = { groupname: 0, threadname: 0, wchan: 0 };

  bound(label: BoundedLabel, value: string): string {
    if (value.length <= MAX_LABEL_VALUE_LENGTH) return value;
    this.cuts[label]++;
    return cutLabelValue(value);
  }
}
