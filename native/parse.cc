// Parsers for one /proc file each, on raw bytes. Each is a port of its src/proc/parse/*.ts twin
// (prometheus/procfs v0.14 semantics); test/reader-diff.test.ts compares the two readers column by column.
#include <string.h>

#include "gofmt.h"
#include "scan.h"

namespace nps {

using namespace gofmt;

namespace {

inline const uint8_t* U(const char* p) { return reinterpret_cast<const uint8_t*>(p); }

inline bool eq(const char* p, size_t n, const char* lit) {
  size_t m = strlen(lit);
  return n == m && memcmp(p, lit, m) == 0;
}

// bufio.ScanLines (go.ts scanLines): lines split on '\n', one trailing '\r' dropped, a final
// unterminated line counts, no empty line after a final '\n'.
struct ScanLines {
  const char* pos;
  const char* end;
  bool next(const char*& line, size_t& len) {
    if (pos >= end) return false;
    const char* nl = static_cast<const char*>(memchr(pos, '\n', static_cast<size_t>(end - pos)));
    line = pos;
    len = static_cast<size_t>((nl ? nl : end) - pos);
    pos = nl ? nl + 1 : end;
    if (len > 0 && line[len - 1] == '\r') len--;
    return true;
  }
};

// String.prototype.split('\n'): every segment, including an empty one after a final '\n'.
struct SplitLines {
  const char* pos;
  const char* end;
  bool done = false;
  bool next(const char*& line, size_t& len) {
    if (done) return false;
    const char* nl = static_cast<const char*>(memchr(pos, '\n', static_cast<size_t>(end - pos)));
    line = pos;
    len = static_cast<size_t>((nl ? nl : end) - pos);
    if (nl) pos = nl + 1;
    else done = true;
    return true;
  }
};

}  // namespace

bool parse_stat(const char* p, size_t n, StatFields& out) {
  const char* l = static_cast<const char*>(memchr(p, '(', n));
  const char* r = static_cast<const char*>(memrchr(p, ')', n));
  if (!l || !r) return false;
  // Go would panic slicing data[l+1:r] or data[r+2:]; stat.ts treats it as unparsable.
  if (l > r || static_cast<size_t>(r - p) + 2 > n) return false;
  out.comm = l + 1;
  out.comm_len = static_cast<size_t>(r - l - 1);
  // procfs Fscan's fields 3..44 starting two bytes after the last ')': fewer than 44 is an error.
  Fscan s(U(p), static_cast<size_t>(r - p) + 2, n);
  size_t ts, te;
  if (!s.token(ts, te)) return false;
  out.state = te - ts == 1 ? static_cast<uint8_t>(p[ts]) : static_cast<uint8_t>('?');
  double v, ppid, minflt, majflt, utime, stime, nthreads, start, vsize, rss;
  bool ok = s.sint(ppid) && s.sint(v) && s.sint(v) && s.sint(v) && s.sint(v)  // ppid pgrp session tty tpgid
            && s.uint(v) && s.uint(minflt) && s.uint(v) && s.uint(majflt) && s.uint(v)  // flags .. cmajflt
            && s.uint(utime) && s.uint(stime) && s.sint(v) && s.sint(v) && s.sint(v) && s.sint(v)  // .. nice
            && s.sint(nthreads) && s.sint(v) && s.uint(start) && s.uint(vsize) && s.sint(rss) && s.uint(v);
  if (!ok) return false;
  for (int i = 0; i < 12; i++)
    if (!s.uint(v)) return false;  // startcode .. cnswap
  ok = s.sint(v) && s.uint(v) && s.uint(v) && s.uint(v) && s.uint(v) && s.sint(v) && s.sint(v);  // .. cguest_time
  if (!ok) return false;
  out.ppid = to_int32(ppid);
  out.minflt = minflt;
  out.majflt = majflt;
  out.utime = utime;
  out.stime = stime;
  out.num_threads = to_int32(nthreads);
  out.start_ticks = start;
  out.vsize = vsize;
  out.rss = rss;
  return true;
}

// Uid:/Gid: tab-separated uint64 ids, at most 4 (procfs's [4]uint64); any bad one fails the read.
static bool parse_ids(const char* v, size_t n, bool& have_second, double& second) {
  const char* end = v + n;
  const char* f = v;
  int idx = 0;
  have_second = false;
  for (;;) {
    const char* tab = static_cast<const char*>(memchr(f, '\t', static_cast<size_t>(end - f)));
    const char* fe = tab ? tab : end;
    if (++idx > 4) return false;
    uint64_t id;
    if (!parse_uint10(f, static_cast<size_t>(fe - f), id)) return false;
    if (idx == 2) {
      have_second = true;
      second = static_cast<double>(id);
    }
    if (!tab) break;
    f = tab + 1;
  }
  return true;
}

bool parse_status(const char* p, size_t n, StatusFields& out) {
  out = StatusFields{};
  const char* end = p + n;
  const char* start = p;
  // Like status.ts: every '\n'-separated segment, the empty one after the last '\n' included.
  for (;;) {
    const char* nl = static_cast<const char*>(memchr(start, '\n', static_cast<size_t>(end - start)));
    const char* le = nl ? nl : end;
    const char* colon = static_cast<const char*>(memchr(start, ':', static_cast<size_t>(le - start)));
    if (colon) {
      const char* k = start;
      size_t kn = static_cast<size_t>(colon - start);
      trim_space(k, kn);
      int which = eq(k, kn, "Uid")                          ? 1
                  : eq(k, kn, "Gid")                        ? 2
                  : eq(k, kn, "VmSwap")                     ? 3
                  : eq(k, kn, "voluntary_ctxt_switches")    ? 4
                  : eq(k, kn, "nonvoluntary_ctxt_switches") ? 5
                                                            : 0;
      if (which) {
        const char* v = colon + 1;
        size_t vn = static_cast<size_t>(le - v);
        trim_space(v, vn);
        while (vn > 0 && is_kb_cut(v[0])) v++, vn--;  // bytes.Trim(v, " kB")
        while (vn > 0 && is_kb_cut(v[vn - 1])) vn--;
        bool have2;
        double second = 0;
        uint64_t u = 0;
        // A value that does not parse makes the whole file unknown (status.ts statusValue).
        if (which >= 3 && !parse_uint10(v, vn, u)) return false;
        switch (which) {
          case 1:
            if (!parse_ids(v, vn, have2, second)) return false;
            // A line with one field leaves the effective uid as it was (Go fills the array in place).
            if (have2) out.uid = to_int32(second);
            break;
          case 2:
            if (!parse_ids(v, vn, have2, second)) return false;
            break;
          case 3:
            // kB x 1024 wrapping like a Go uint64.
            out.swap_bytes = static_cast<double>(u * 1024u);
            break;
          case 4: out.ctx_vol = static_cast<double>(u); break;
          case 5: out.ctx_nonvol = static_cast<double>(u); break;
        }
      }
    }
    if (!nl) break;
    start = nl + 1;
  }
  return true;
}

// io.ts: fmt.Sscanf with "rchar: %d\nwchar: %d\n...cancelled_write_bytes: %d\n".
static inline bool is_blank(uint8_t c) { return c == 0x20 || c == 0x09 || c == 0x0b || c == 0x0c || c == 0x0d; }

bool parse_io(const char* text, size_t n, double& read_bytes, double& write_bytes) {
  static const char* const kKeys[] = {"rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes",
                                      "cancelled_write_bytes"};
  const uint8_t* b = U(text);
  size_t pos = 0;
  double values[7];
  for (int k = 0; k < 7; k++) {
    const char* key = kKeys[k];
    size_t kl = strlen(key);
    for (size_t i = 0; i < kl; i++, pos++) {
      if (pos >= n || b[pos] != static_cast<uint8_t>(key[i])) return false;
    }
    if (pos >= n || b[pos] != ':') return false;
    pos++;
    if (pos >= n || !is_blank(b[pos])) return false;
    while (pos < n && is_blank(b[pos])) pos++;
    if (pos >= n || b[pos] == '\n') return false;
    // uint64 fields take digits only; cancelled_write_bytes is an int64 and takes a sign.
    const bool is_signed = k == 6;
    size_t start = pos;
    if (is_signed && (b[pos] == '+' || b[pos] == '-')) pos++;
    size_t digits = pos;
    while (pos < n && is_digit(b[pos])) pos++;
    if (pos == digits) return false;
    if (is_signed) {
      if (!parse_int10(text + start, pos - start, values[k])) return false;
    } else {
      uint64_t u;
      if (!parse_uint10(text + start, pos - start, u)) return false;
      values[k] = static_cast<double>(u);
    }
    while (pos < n && is_blank(b[pos])) pos++;
    if (pos < n) {
      if (b[pos] != '\n') return false;
      pos++;
    }
  }
  read_bytes = values[4];
  write_bytes = values[5];
  return true;
}

// ---- limits: procfs's limitsMatch regex, evaluated without a regex engine.
// (Max \w+\s{0,1}?\w*\s{0,1}\w*)\s{2,}(\w+)\s{2,}(\w+) with ASCII \w and \s = [\t\n\f\r ], leftmost
// match, backtracking priority as in JS/RE2. With \w and \s disjoint, the only candidate ends of
// group 1 after "Max " + a word run A are, in priority order: A + one space + the next word run (E1),
// A alone (E0), and A + space + word run + space + word run (E2); the tail after group 1 is
// deterministic (whole space runs, whole word runs).
namespace {

inline bool is_w(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_'; }
inline bool is_s(uint8_t c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; }

inline size_t run_w(const uint8_t* b, size_t i, size_t n) {
  while (i < n && is_w(b[i])) i++;
  return i;
}
inline size_t run_s(const uint8_t* b, size_t i, size_t n) {
  while (i < n && is_s(b[i])) i++;
  return i;
}

// \s{2,}(\w+)\s{2,}(\w+) at p: group 2 as [g2, g2e).
bool limits_tail(const uint8_t* b, size_t p, size_t n, size_t& g2, size_t& g2e) {
  size_t q = run_s(b, p, n);
  if (q - p < 2) return false;
  size_t r = run_w(b, q, n);
  if (r == q) return false;
  size_t t = run_s(b, r, n);
  if (t - r < 2) return false;
  if (run_w(b, t, n) == t) return false;
  g2 = q;
  g2e = r;
  return true;
}

bool limits_match(const uint8_t* b, size_t n, size_t& g1, size_t& g1e, size_t& g2, size_t& g2e) {
  for (size_t i = 0; i + 4 <= n; i++) {
    if (memcmp(b + i, "Max ", 4) != 0) continue;
    size_t a0 = i + 4;
    size_t a1 = run_w(b, a0, n);
    if (a1 == a0) continue;
    size_t ends[3];
    int ne = 0;
    size_t e1 = 0;
    if (a1 < n && is_s(b[a1])) {
      e1 = run_w(b, a1 + 1, n);
      ends[ne++] = e1;
    }
    ends[ne++] = a1;
    if (a1 < n && is_s(b[a1]) && e1 < n && is_s(b[e1])) ends[ne++] = run_w(b, e1 + 1, n);
    for (int k = 0; k < ne; k++) {
      if (limits_tail(b, ends[k], n, g2, g2e)) {
        g1 = i;
        g1e = ends[k];
        return true;
      }
    }
  }
  return false;
}

const char* const kLimitNames[] = {
    "Max cpu time",      "Max file size",     "Max data size",       "Max stack size",
    "Max core file size", "Max resident set", "Max processes",       "Max open files",
    "Max locked memory", "Max address space", "Max file locks",      "Max pending signals",
    "Max msgqueue size", "Max nice priority", "Max realtime priority", "Max realtime timeout",
};

}  // namespace

bool parse_limits_nofile(const char* p, size_t n, double& soft) {
  ScanLines lines{p, p + n};
  const char* line;
  size_t len;
  double open_files = 0;
  bool first = true;
  while (lines.next(line, len)) {
    // bufio.Scanner stops with ErrTooLong on a line that does not fit its 64 KiB buffer.
    if (len >= kMaxScanToken) return false;
    if (first) {
      first = false;  // the header row is skipped unread
      continue;
    }
    size_t g1, g1e, g2, g2e;
    if (!limits_match(U(line), len, g1, g1e, g2, g2e)) return false;
    bool known = false;
    for (const char* name : kLimitNames) {
      if (eq(line + g1, g1e - g1, name)) {
        known = true;
        break;
      }
    }
    if (!known) continue;
    double v;
    if (eq(line + g2, g2e - g2, "unlimited")) {
      v = 18446744073709551615.0;
    } else {
      uint64_t u;
      if (!parse_uint10(line + g2, g2e - g2, u)) return false;
      v = static_cast<double>(u);
    }
    if (eq(line + g1, g1e - g1, "Max open files")) open_files = v;
  }
  // A table without the open-files row gives 0, as in procfs (no error).
  soft = open_files;
  return true;
}

// procfs parseLine: "Key: value kB"; no ':' fails; VmFlags skipped; value TrimSpace'd, then ' ', 'k',
// 'B' trimmed from its right end; must be a uint64. Sums wrap like Go's uint64 `+= v * 1024`.
static bool smaps_line(const char* line, size_t len, uint64_t& pss, uint64_t& swap_pss) {
  const char* colon = static_cast<const char*>(memchr(line, ':', len));
  if (!colon) return false;
  size_t kn = static_cast<size_t>(colon - line);
  if (eq(line, kn, "VmFlags")) return true;
  const char* v = colon + 1;
  size_t vn = static_cast<size_t>(line + len - v);
  trim_space(v, vn);
  while (vn > 0 && is_kb_cut(v[vn - 1])) vn--;
  uint64_t u;
  if (!parse_uint10(v, vn, u)) return false;
  if (eq(line, kn, "Pss")) pss += u * 1024u;
  else if (eq(line, kn, "SwapPss")) swap_pss += u * 1024u;
  return true;
}

bool parse_smaps_rollup(const char* p, size_t n, double& pss, double& swap_pss) {
  uint64_t a = 0, s = 0;
  SplitLines lines{p, p + n};
  const char* line;
  size_t len;
  bool first = true;
  while (lines.next(line, len)) {
    if (first) {
      first = false;  // the [rollup] header
      continue;
    }
    if (len == 0) continue;
    if (!smaps_line(line, len, a, s)) return false;
  }
  pss = static_cast<double>(a);
  swap_pss = static_cast<double>(s);
  return true;
}

bool parse_smaps_summed(const char* p, size_t n, double& pss, double& swap_pss) {
  uint64_t a = 0, s = 0;
  ScanLines lines{p, p + n};
  const char* line;
  size_t len;
  while (lines.next(line, len)) {
    if (len >= kMaxScanToken) return false;
    // procfs's procSMapsHeaderLine: a line starting with a lowercase hex digit is a mapping header.
    if (len > 0 && (is_digit(static_cast<uint8_t>(line[0])) || (line[0] >= 'a' && line[0] <= 'f'))) continue;
    if (!smaps_line(line, len, a, s)) return false;
  }
  pss = static_cast<double>(a);
  swap_pss = static_cast<double>(s);
  return true;
}

// "<run ns> <wait ns> <slices>\n", as the kernel prints it; anything else is a parse error (the
// caller then reads the process in full).
bool parse_schedstat(const char* p, size_t n, double& run_ns, double& slices) {
  if (n > 0 && p[n - 1] == '\n') n--;
  uint64_t v[3];
  size_t pos = 0;
  for (int k = 0; k < 3; k++) {
    size_t start = pos;
    while (pos < n && is_digit(static_cast<unsigned char>(p[pos]))) pos++;
    if (!parse_uint10(p + start, pos - start, v[k])) return false;
    if (k < 2) {
      if (pos >= n || p[pos] != ' ') return false;
      pos++;
    }
  }
  if (pos != n) return false;
  run_ns = static_cast<double>(v[0]);
  slices = static_cast<double>(v[2]);
  return true;
}

}  // namespace nps
