// Shared declarations of the native /proc scanner. No policy lives here: the scanner reads and
// parses, the TypeScript side decides (see src/proc/columns.ts for the column contract).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nps {

// Bits of DetailColumns.flags; must equal DetailFlag in src/proc/columns.ts.
enum DetailFlag : uint16_t {
  STATUS_ERR = 1 << 0,
  LIMITS_ERR = 1 << 1,
  IO_ERR = 1 << 2,
  FD_ERR = 1 << 3,
  WCHAN_ERR = 1 << 4,
  SMAPS_ERR = 1 << 5,
  TASK_ERR = 1 << 6,
  CMDLINE_ERR = 1 << 7,
  GONE = 1 << 8,
  STATUS_UNPARSABLE = 1 << 9,
  LIMITS_UNPARSABLE = 1 << 10,
  SCHED_ERR = 1 << 11,
  HELD = 1 << 12,
  THREADS_HELD = 1 << 13,
};

// Bits of ThreadColumns.flags; must equal ThreadFlag in src/proc/columns.ts.
enum ThreadFlag : uint8_t {
  T_HELD = 1 << 0,
  T_SCHED_ERR = 1 << 1,
  T_IO_ERR = 1 << 2,
  T_WCHAN_ERR = 1 << 3,
};

// ---------------------------------------------------------------- fsutil.cc

// One per worker thread, reused for every file: grows only when a file outgrows it.
struct ReadBuf {
  std::vector<char> mem;
  size_t len = 0;
  bool open_failed = false;  // the last error came from open(), not read()
  ReadBuf() : mem(64 * 1024) {}
  const char* data() const { return mem.data(); }
};

// procfs's util.ReadFileNoStat reads at most 1 MiB (READ_LIMIT in ts-reader-core.ts); the rest is dropped.
constexpr size_t kReadLimit = 1024 * 1024;
// Files read whole by the TS reader (limits, smaps, wchan): still bounded, against /dev/zero-like files.
constexpr size_t kNoLimit = 256u << 20;
// Reads file `name` relative to `dirfd` into buf, at most `limit` bytes. Returns 0 or an errno value.
// short_read_is_eof: only for single-record procfs files on a real procfs (saves the read() that returns 0).
int read_file_at(int dirfd, const char* name, ReadBuf& buf, size_t limit, bool short_read_is_eof = false);
// Opens a directory relative to dirfd (O_DIRECTORY); returns the fd or -errno.
int open_dir_at(int dirfd, const char* name);
// Iterates directory entry names (without "." and "..") with raw getdents64: no malloc, no DIR*.
class DirIter {
 public:
  explicit DirIter(int fd) : fd_(fd) {}
  const char* next();  // nullptr at the end or on error
  int err() const { return err_; }

 private:
  int fd_;
  long n_ = 0, off_ = 0;
  int err_ = 0;
  bool done_ = false;
  alignas(8) char buf_[8192];
};
// Counts the entries of an open directory fd except "." and ".."; -errno on failure.
long count_dir_entries(int dirfd);

// Go's syscall.Errno text ("no such file or directory"), as the reference's messages show it (docs/behaviour.md#errors).
std::string errtext(int e);
// Decimal formatting without allocation; returns the length written (buf needs 12 bytes).
int format_int(char* buf, long long v);

// Packed strings produced by one worker: rows refer to (worker, offset, length).
struct Arena {
  std::vector<uint8_t> bytes;
  uint32_t push(const char* p, size_t n) {
    uint32_t off = static_cast<uint32_t>(bytes.size());
    bytes.insert(bytes.end(), reinterpret_cast<const uint8_t*>(p), reinterpret_cast<const uint8_t*>(p) + n);
    return off;
  }
};
struct StrRef {
  uint32_t off = 0;
  uint32_t len = 0;
};

// Owns a file descriptor and closes it when it goes out of scope (a negative value owns nothing).
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  void reset(int fd = -1);  // closes the fd held, if any, and holds fd

 private:
  int fd_;
};

// Strings packed back to back: string i is bytes[offsets[i] .. offsets[i+1]).
struct Packed {
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> offsets{0};  // count + 1
  void append(const Arena& arena, StrRef s) {
    bytes.insert(bytes.end(), arena.bytes.data() + s.off, arena.bytes.data() + s.off + s.len);
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  }
};

// ---------------------------------------------------------------- the columns (src/proc/columns.ts)

// Each column set is listed once: N(type, name, "jsName") for a numeric column, S(name, "jsName") for
// a string column, in the order of the TS schema. The list generates the row struct a worker fills,
// the column struct it is gathered into, and the N-API export (addon.cc). Adding a column is a line
// here plus the code that reads its value into the row.
#define NPS_STAT_COLUMNS(N, S)          \
  N(int32_t, pid, "pid")                \
  N(double, start_ticks, "startTicks")  \
  N(int32_t, ppid, "ppid")              \
  N(uint8_t, state, "state")            \
  N(double, minflt, "minflt")           \
  N(double, majflt, "majflt")           \
  N(double, utime, "utime")             \
  N(double, stime, "stime")             \
  N(int32_t, num_threads, "numThreads") \
  N(double, vsize, "vsize")             \
  N(double, rss, "rss")                 \
  S(comm, "comm")

#define NPS_DETAIL_COLUMNS(N, S)          \
  N(uint16_t, flags, "flags")             \
  N(int32_t, uid, "uid")                  \
  N(double, ctx_vol, "ctxVol")            \
  N(double, ctx_nonvol, "ctxNonvol")      \
  N(double, swap_bytes, "swapBytes")      \
  N(double, fd_limit, "fdLimit")          \
  N(double, read_bytes, "readBytes")      \
  N(double, write_bytes, "writeBytes")    \
  N(double, fd_open, "fdOpen")            \
  N(double, pss, "pss")                   \
  N(double, swap_pss, "swapPss")          \
  N(double, sched_run, "schedRun")        \
  N(double, sched_slices, "schedSlices")  \
  S(wchan, "wchan")                       \
  S(cmdline, "cmdline")                   \
  S(cgroup, "cgroup")

#define NPS_THREAD_COLUMNS(N, S)          \
  N(int32_t, tid, "tid")                  \
  N(double, start_ticks, "startTicks")    \
  S(comm, "comm")                         \
  N(uint8_t, state, "state")              \
  N(double, minflt, "minflt")             \
  N(double, majflt, "majflt")             \
  N(double, utime, "utime")               \
  N(double, stime, "stime")               \
  N(double, ctx_vol, "ctxVol")            \
  N(double, ctx_nonvol, "ctxNonvol")      \
  N(double, read_bytes, "readBytes")      \
  N(double, write_bytes, "writeBytes")    \
  S(wchan, "wchan")                       \
  N(uint8_t, flags, "flags")              \
  N(double, sched_run, "schedRun")        \
  N(double, sched_slices, "schedSlices")

#define NPS_ROW_NUM(T, name, js) T name = 0;
#define NPS_ROW_STR(name, js) StrRef name;
#define NPS_COL_NUM(T, name, js) std::vector<T> name;
#define NPS_COL_STR(name, js) Packed name;
#define NPS_RESERVE_NUM(T, name, js) name.reserve(n);
#define NPS_RESERVE_STR(name, js) name.offsets.reserve(n + 1);
#define NPS_PUSH_NUM(T, name, js) name.push_back(r.name);
#define NPS_PUSH_STR(name, js) name.append(arena, r.name);
#define NPS_EACH_NUM(T, name, js) num(js, name);
#define NPS_EACH_STR(name, js) str(js, name);

// Row: one row's values (strings as references into the worker's Arena). Columns: the gathered
// columns; push() appends a row, each() visits (jsName, column) in schema order.
#define NPS_COLUMN_SET(Row, Columns, LIST)                                      \
  struct Row {                                                                  \
    LIST(NPS_ROW_NUM, NPS_ROW_STR)                                              \
  };                                                                            \
  struct Columns {                                                              \
    size_t count = 0;                                                           \
    LIST(NPS_COL_NUM, NPS_COL_STR)                                              \
    void reserve(size_t n) { LIST(NPS_RESERVE_NUM, NPS_RESERVE_STR) }           \
    void push(const Row& r, const Arena& arena) {                               \
      count++;                                                                  \
      LIST(NPS_PUSH_NUM, NPS_PUSH_STR)                                          \
    }                                                                           \
    template <class Num, class Str>                                             \
    void each(Num num, Str str) const {                                         \
      LIST(NPS_EACH_NUM, NPS_EACH_STR)                                          \
    }                                                                           \
  };

NPS_COLUMN_SET(StatRow, StatColumns, NPS_STAT_COLUMNS)
NPS_COLUMN_SET(DetailRow, DetailColumnSet, NPS_DETAIL_COLUMNS)
NPS_COLUMN_SET(ThreadRow, ThreadColumns, NPS_THREAD_COLUMNS)

// Procfs root facts decided once per scanner.
struct Root {
  std::string path;
  bool real_procfs = false;  // statfs magic 0x9fa0: st_size of <pid>/fd is meaningful
  bool own_procfs = false;   // our pid namespace's /proc: prlimit() may replace reading limits
};
void probe_root(Root& root);

// ---------------------------------------------------------------- parse.cc

struct StatFields {
  const char* comm = nullptr;
  size_t comm_len = 0;
  uint8_t state = 0;
  int32_t ppid = 0;
  double minflt = 0, majflt = 0, utime = 0, stime = 0;
  int32_t num_threads = 0;
  double start_ticks = 0, vsize = 0, rss = 0;
};
// <pid>/stat; false on a parse error (the row is omitted).
bool parse_stat(const char* p, size_t n, StatFields& out);

// The stat values a process row and a thread row share.
template <class Row>
void set_stat_values(const StatFields& f, Row& r) {
  r.start_ticks = f.start_ticks;
  r.state = f.state;
  r.minflt = f.minflt;
  r.majflt = f.majflt;
  r.utime = f.utime;
  r.stime = f.stime;
}

struct StatusFields {
  int32_t uid = 0;
  double ctx_vol = 0, ctx_nonvol = 0, swap_bytes = 0;
};
bool parse_status(const char* p, size_t n, StatusFields& out);
bool parse_io(const char* p, size_t n, double& read_bytes, double& write_bytes);
bool parse_limits_nofile(const char* p, size_t n, double& soft);
bool parse_smaps_rollup(const char* p, size_t n, double& pss, double& swap_pss);
bool parse_smaps_summed(const char* p, size_t n, double& pss, double& swap_pss);
// <pid>/schedstat: time on a CPU (ns) and the number of times the task was switched in (fields 1 and 3).
bool parse_schedstat(const char* p, size_t n, double& run_ns, double& slices);

// ---------------------------------------------------------------- listing.cc

// A pid (or tid) directory name: Go strconv.ParseInt(name, 10, 64), kept only when it fits an Int32.
bool parse_pid_name(const char* s, int32_t& pid);
// Lists the root and reads every pid's stat. Returns 0 or an errno (listing failed; msg filled).
int list_procs(const Root& root, int threads, StatColumns& out, std::string& msg);

// ---------------------------------------------------------------- details.cc / threads.cc

struct DetailRequest {
  bool smaps_for(size_t i) const { return gather_smaps && (read_smaps.empty() || read_smaps[i]); }
  std::vector<int32_t> pids;
  std::vector<uint8_t> want_threads;
  std::vector<uint8_t> want_static;
  // with gather_smaps: 1 reads smaps_rollup for this row; empty means every row (the caller's refresh policy)
  std::vector<uint8_t> read_smaps;
  // 1: read schedstat; 2: read it, and when it equals sched_prev[2i], [2i+1] (the process has not run
  // since), leave status, io and wchan unread (HELD). Empty: no row reads it.
  std::vector<uint8_t> sched;
  std::vector<double> sched_prev;
  // Threads that ran, per row with want_threads: 0 walks task/ and reads every thread in full; 1 also reads
  // each thread's schedstat first and holds a known thread (status, io, wchan unread: T_HELD) whose
  // schedstat pair and stat state equal known_sched and known_state; 2 first reads the schedstat of the
  // known threads only, without listing task/, and when none moved holds the whole process (THREADS_HELD,
  // and HELD: status and io unread), else goes on as 1. Empty: 0 for every row.
  std::vector<uint8_t> thread_hold;
  // The threads the caller knows of row i: [known_start[i], known_start[i+1]) of known_tid, with their
  // schedstat pair (known_sched, two per thread; NaN never equals) and stat state as last read.
  std::vector<uint32_t> known_start;
  std::vector<int32_t> known_tid;
  std::vector<double> known_sched;
  std::vector<uint8_t> known_state;
  bool gather_smaps = false;
  bool thread_io = false;
};

// Phase 2 result: the detail columns of each requested row, and the threads of the rows that asked.
struct DetailColumns : DetailColumnSet {
  std::vector<uint32_t> thread_start;  // count + 1
  ThreadColumns threads;
};

int read_details(const Root& root, int threads, const DetailRequest& req, DetailColumns& out, std::string& msg);

// One worker's thread rows while task/ walks are in progress, before they are gathered in request order.
using ThreadRows = std::vector<ThreadRow>;
// Walks <pid>/task: appends the readable threads to rows (and their strings to arena).
// Returns 0, or the errno when task/ cannot be listed (TASK_ERR). Rows are removed again when < 2 threads read.
// With `known` (DetailRequest.thread_hold >= 1) each thread's schedstat is read first, and a known thread
// whose schedstat pair and state did not change is held (T_HELD: status, io and wchan not read).
struct KnownThreads {
  const int32_t* tid = nullptr;
  const double* sched = nullptr;  // two per thread, as last cycle
  const uint8_t* state = nullptr;
  const double* pre = nullptr;    // two per thread: read this cycle before the walk (NaN: not read)
  size_t n = 0;
};
int walk_threads(int pid_dirfd, bool thread_io, bool procfs, ReadBuf& buf, ThreadRows& rows, Arena& arena,
                 const KnownThreads* known);

}  // namespace nps

#include "parallel.h"
