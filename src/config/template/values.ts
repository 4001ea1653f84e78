// Go values in JS: int=number, int64=bigint, float64/uint8/Month/Weekday=GoNum, invalid reflect.Value=undefined.

/** The data handed to a name template (Go: config.templateParams). */
export interface NameTemplateData {
  Comm: string;
  ExeBase: string;
  ExeFull: string;
  Username: string;
  PID: number;
  StartTime: GoTime;
  Cgroups: readonly string[];
  /** docs/behaviour.md#cgroup-identity: "" when the cgroup path names none */
  SystemdUnit: string;
  ContainerID: string;
  PodUID: string;
  Matches: ReadonlyMap<string, string>;
}

// Go passes &templateParams{...}, so reflect prints the receiver type as a pointer.
export const ROOT_TYPE_NAME = '*config.templateParams';

const SECONDS_PER_DAY = 86400;

/** A Go time.Time in UTC, as the reference builds it with time.Unix(...).UTC(). */
export class GoTime {
  /** whole seconds since the Unix epoch */
  readonly sec: number;
  /** nanoseconds within the second, 0..999999999 */
  readonly nsec: number;
  private fields: TimeFields | undefined;

  constructor(unixMillis: number) {
    let sec = Math.floor(unixMillis / 1000);
    let nsec = Math.round((unixMillis - sec * 1000) * 1e6);
    if (nsec >= 1e9) { sec += 1; nsec -= 1e9; }
    this.sec = sec;
    this.nsec = nsec;
  }

  /** calendar fields, computed once per value */
  get f(): TimeFields {
    if (this.fields === undefined) this.fields = civil(this.sec);
    return this.fields;
  }

  unixNano(): bigint { return BigInt(this.sec) * 1000000000n + BigInt(this.nsec); }
  isZero(): boolean { return this.sec === ZERO_UNIX && this.nsec === 0; }
}

// Unix seconds of Go's zero time, January 1, year 1, 00:00:00 UTC.
const ZERO_UNIX = -62135596800;

interface TimeFields {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 1..366
}

function civil(sec: number): TimeFields {
  const days = Math.floor(sec / SECONDS_PER_DAY);
  const rem = sec - days * SECONDS_PER_DAY;
  // proleptic Gregorian calendar from a day count (Howard Hinnant's civil_from_days)
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][month - 1];
  const yearDay = before + day + (leap && month > 2 ? 1 : 0);
  const weekday = ((days % 7) + 11) % 7; // 1970-01-01 was a Thursday (4)
  return {
    year, month, day,
    hour: Math.floor(rem / 3600), minute: Math.floor((rem % 3600) / 60), second: rem % 60,
    weekday, yearDay,
  };
}

type NumType = 'float64' | 'uint8' | 'time.Month' | 'time.Weekday';

/** A Go number whose type is not plain int or int64. */
export class GoNum {
  constructor(readonly type: NumType, readonly v: number) {}
}

/** The template data itself (the `$` value). */
export class RootValue {
  constructor(readonly data: NameTemplateData) {}
}

export type GoValue =
  | undefined
  | string
  | boolean
  | number
  | bigint
  | GoNum
  | GoTime
  | readonly string[]
  | ReadonlyMap<string, string>
  | RootValue;

/** Go's reflect type string of a (valid) value. */
export function typeName(v: GoValue): string {
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return 'int';
    case 'bigint': return 'int64';
    case 'undefined': return '<nil>';
  }
  if (v instanceof GoNum) return v.type;
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof RootValue) return ROOT_TYPE_NAME;
  if (Array.isArray(v)) return '[]string';
  return 'map[string]string';
}



/** Go's integer value of an int-like value, or undefined when v is not an integer kind. */
export function intValue(v: GoValue): bigint | undefined {
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  if (v instanceof GoNum && v.type !== 'float64') return BigInt(v.v);
  return undefined;
}

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Go time.Month.String() and time.Weekday.String(), including their out-of-range forms. */
export function enumString(n: GoNum): string {
  if (n.type === 'time.Month') return n.v >= 1 && n.v <= 12 ? MONTH_NAMES[n.v - 1] : `%!Month(${n.v})`;
  return n.v >= 0 && n.v <= 6 ? DAY_NAMES[n.v] : `%!Weekday(${n.v})`;
}

/** Go's byte-oriented view of a string. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

