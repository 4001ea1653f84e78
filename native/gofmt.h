// The Go standard-library behaviour prometheus/procfs v0.14 relies on (strconv.ParseUint/ParseInt,
// fmt.Fscan integer scanning, unicode.IsSpace), ported from src/proc/parse/go.ts so both readers accept
// and reject exactly the same inputs and round to the same float64.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace nps {
namespace gofmt {

// JavaScript's ToInt32, applied when a parsed float64 lands in an Int32Array column.
inline int32_t to_int32(double d) {
  if (!std::isfinite(d)) return 0;
  double t = std::trunc(d);
  double m = std::fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  uint32_t u = static_cast<uint32_t>(m);
  return static_cast<int32_t>(u);
}

inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// strconv.ParseUint(s, 10, 64); the exact value and its nearest float64.
inline bool parse_uint10(const char* p, size_t n, uint64_t& exact) {
  if (n == 0) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9) return false;
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  exact = v;
  return true;
}

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, int64 range.
inline bool parse_int10(const char* p, size_t n, double& out) {
  bool neg = false;
  if (n > 0 && (p[0] == '+' || p[0] == '-')) {
    neg = p[0] == '-';
    p++;
    n--;
  }
  uint64_t u;
  if (!parse_uint10(p, n, u)) return false;
  if (u > static_cast<uint64_t>(INT64_MAX) + (neg ? 1 : 0)) return false;
  // go.ts returns -Number(body) for short bodies (so "-0" is -0) and Number(BigInt) otherwise.
  if (neg) out = (n <= 15 || u != 0) ? -static_cast<double>(u) : 0.0;
  else out = static_cast<double>(u);
  return true;
}

// Go's unicode.IsSpace on UTF-8 bytes as fmt's scanner uses it: the byte length of the space rune at
// i, or 0 (go.ts spaceLen).
inline int space_len(const uint8_t* b, size_t i, size_t end) {
  uint8_t c = b[i];
  if (c == 0x20 || (c >= 0x09 && c <= 0x0d)) return 1;
  if (c < 0xc2) return 0;
  if (c == 0xc2 && i + 1 < end && (b[i + 1] == 0x85 || b[i + 1] == 0xa0)) return 2;
  if (i + 2 >= end) return 0;
  uint8_t c1 = b[i + 1], c2 = b[i + 2];
  if (c == 0xe1 && c1 == 0x9a && c2 == 0x80) return 3;
  if (c == 0xe2 && c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8a) || c2 == 0xa8 || c2 == 0xa9 || c2 == 0xaf)) return 3;
  if (c == 0xe2 && c1 == 0x81 && c2 == 0x9f) return 3;
  if (c == 0xe3 && c1 == 0x80 && c2 == 0x80) return 3;
  return 0;
}

inline bool is_digit_of(uint8_t c, int base) {
  if (c == '_') return true;  // '_' is in every digit set of the %v verb
  if (base == 2) return c == '0' || c == '1';
  if (base == 8) return c >= '0' && c <= '7';
  if (base == 10) return c >= '0' && c <= '9';
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// strconv's underscoreOK: underscores only between digits (or right after a base prefix).
inline bool underscore_ok(const uint8_t* s, size_t n) {
  char saw = '^';
  size_t i = 0;
  if (n >= 1 && (s[0] == '-' || s[0] == '+')) s++, n--;
  bool hex = false;
  if (n >= 2 && s[0] == '0' && strchr("bBoOxX", s[1]) && s[1] != 0) {
    i = 2;
    saw = '0';
    hex = s[1] == 'x' || s[1] == 'X';
  }
  for (; i < n; i++) {
    uint8_t c = s[i];
    if (is_digit(c) || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

inline int digit_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// strconv.ParseUint/ParseInt(tok, 0, 64): base prefixes, leading-0 octal, underscores (go.ts parseBase0).
inline bool parse_base0(const uint8_t* tok, size_t tn, bool is_signed, double& out) {
  const uint8_t* s = tok;
  size_t n = tn;
  bool neg = false;
  if (is_signed && n > 0 && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s++, n--;
  }
  if (n == 0) return false;
  int base = 10;
  if (s[0] == '0' && n > 1) {
    uint8_t p = s[1] | 0x20;
    if (p == 'b' || p == 'o' || p == 'x') {
      base = p == 'b' ? 2 : p == 'o' ? 8 : 16;
      s += 2, n -= 2;
    } else {
      base = 8;
      s++, n--;
    }
  }
  if (memchr(s, '_', n) && !underscore_ok(tok, tn)) return false;
  uint64_t limit = is_signed ? (neg ? static_cast<uint64_t>(INT64_MAX) + 1 : static_cast<uint64_t>(INT64_MAX)) : UINT64_MAX;
  uint64_t v = 0;
  size_t ndigits = 0;
  bool overflow = false;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if (c == '_') continue;
    if (!is_digit_of(c, base)) return false;
    ndigits++;
    unsigned d = static_cast<unsigned>(digit_value(c));
    if (!overflow) {
      if (v > (UINT64_MAX - d) / static_cast<unsigned>(base)) overflow = true;
      else v = v * static_cast<unsigned>(base) + d;
    }
  }
  if (ndigits == 0) return false;
  if (overflow || v > limit) return false;
  if (!neg) out = static_cast<double>(v);
  else if (base == 10 && ndigits <= 15) out = -static_cast<double>(v);  // -Number(digits): "-0" is -0
  else out = v == 0 ? 0.0 : -static_cast<double>(v);                    // Number(-BigInt)
  return true;
}

// fmt.Fscan over bytes with the %v verb (go.ts GoFscan).
class Fscan {
 public:
  Fscan(const uint8_t* b, size_t pos, size_t end) : b_(b), pos_(pos), end_(end) {}

  bool token(size_t& start, size_t& stop) {
    skip_space();
    if (pos_ >= end_) return false;
    start = pos_;
    while (pos_ < end_ && space_len(b_, pos_, end_) == 0) pos_++;
    stop = pos_;
    return true;
  }
  bool uint(double& out) { return integer(false, out); }
  bool sint(double& out) { return integer(true, out); }

 private:
  void skip_space() {
    while (pos_ < end_) {
      int l = space_len(b_, pos_, end_);
      if (l == 0) return;
      pos_ += static_cast<size_t>(l);
    }
  }
  bool integer(bool is_signed, double& out) {
    skip_space();
    if (pos_ >= end_) return false;
    size_t start = pos_;
    if (is_signed && (b_[pos_] == '+' || b_[pos_] == '-')) pos_++;
    int base = 10;
    bool have_digits = false, prefixed = false;
    if (pos_ < end_ && b_[pos_] == '0') {
      pos_++;
      have_digits = true;
      uint8_t c = pos_ < end_ ? (b_[pos_] | 0x20) : 0;
      if (c == 'b') base = 2;
      else if (c == 'o') base = 8;
      else if (c == 'x') base = 16;
      else base = 8;
      if (c == 'b' || c == 'o' || c == 'x') {
        pos_++;
        prefixed = true;
      }
    }
    // A lone "0" (also "-0"): zero, and Go's ints have no negative zero.
    if (have_digits && !prefixed && (pos_ >= end_ || !is_digit_of(b_[pos_], 8))) {
      out = 0;
      return true;
    }
    if (!have_digits) {
      if (pos_ >= end_) return false;
      if (!is_digit_of(b_[pos_], base)) return false;
    }
    while (pos_ < end_ && is_digit_of(b_[pos_], base)) pos_++;
    return parse_base0(b_ + start, pos_ - start, is_signed, out);
  }

  const uint8_t* b_;
  size_t pos_, end_;
};

inline bool is_ascii_ws(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// strings.TrimSpace for ASCII whitespace.
inline void trim_space(const char*& p, size_t& n) {
  while (n > 0 && is_ascii_ws(p[0])) p++, n--;
  while (n > 0 && is_ascii_ws(p[n - 1])) n--;
}

inline bool is_kb_cut(char c) { return c == ' ' || c == 'k' || c == 'B'; }

// bufio.Scanner's default limit: a token must fit in 64 KiB.
constexpr size_t kMaxScanToken = 64 * 1024;

}  // namespace gofmt
}  // namespace nps
