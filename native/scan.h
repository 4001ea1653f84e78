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

// procfs's util.ReadFileNoStat reads at most 1 MiB (ts-reader.ts READ_LIMIT); the rest is dropped.
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
// Counts the entries of an open directory fd except "." and ".."; consumes the fd. -errno on failure.
long count_dir_entries(int dirfd);

// Go's syscall.Errno text ("no such file or directory"), as the reference's messages show it (SPEC §6).
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

struct StatusFields {
  int32_t uid = 0;
  double ctx_vol = 0, ctx_nonvol = 0, swap_bytes = 0;
};
bool parse_status(const char* p, size_t n, StatusFields& out);
bool parse_io(const char* p, size_t n, double& read_bytes, double& write_bytes);
bool parse_limits_nofile(const char* p, size_t n, double& soft);
bool parse_smaps_rollup(const char* p, size_t n, double& pss, double& swap_pss);
bool parse_smaps_summed(const char* p, size_t n, double& pss, double& swap_pss);
// `<procfs>/stat` btime; returns 0 ok, 1 parse error (msg filled); btime 0 when absent.
int parse_btime(const char* p, size_t n, double& btime, std::string& msg);

// ---------------------------------------------------------------- listing.cc

struct StatColumns {
  std::vector<int32_t> pid;
  std::vector<double> start_ticks;
  std::vector<int32_t> ppid;
  std::vector<uint8_t> state;
  std::vector<double> minflt, majflt, utime, stime;
  std::vector<int32_t> num_threads;
  std::vector<double> vsize, rss;
  std::vector<uint8_t> comm_bytes;
  std::vector<uint32_t> comm_offsets;  // count + 1
};
// A pid (or tid) directory name: Go strconv.ParseInt(name, 10, 64), kept only when it fits an Int32.
bool parse_pid_name(const char* s, int32_t& pid);
// Lists the root and reads every pid's stat. Returns 0 or an errno (listing failed; msg filled).
int list_procs(const Root& root, int threads, StatColumns& out, std::string& msg);

// ---------------------------------------------------------------- details.cc / threads.cc

struct DetailRequest {
  std::vector<int32_t> pids;
  std::vector<uint8_t> want_threads;
  std::vector<uint8_t> want_static;
  bool gather_smaps = false;
  bool thread_io = false;
};

struct Packed {
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> offsets;  // count + 1
};

struct ThreadColumns {
  std::vector<int32_t> tid;
  std::vector<double> start_ticks;
  std::vector<uint8_t> state;
  std::vector<double> minflt, majflt, utime, stime, ctx_vol, ctx_nonvol, read_bytes, write_bytes;
  Packed comm, wchan;
  size_t count() const { return tid.size(); }
};

struct DetailColumns {
  std::vector<uint16_t> flags;
  std::vector<int32_t> uid;
  std::vector<double> ctx_vol, ctx_nonvol, swap_bytes, fd_limit, read_bytes, write_bytes, fd_open, pss, swap_pss;
  Packed wchan, cmdline, cgroup;
  std::vector<uint32_t> thread_start;  // count + 1
  ThreadColumns threads;
};

int read_details(const Root& root, int threads, const DetailRequest& req, DetailColumns& out, std::string& msg);

// One thread's rows while a task/ walk is in progress, before they are merged in request order.
struct ThreadRows {
  std::vector<int32_t> tid;
  std::vector<double> start_ticks;
  std::vector<uint8_t> state;
  std::vector<double> minflt, majflt, utime, stime, ctx_vol, ctx_nonvol, read_bytes, write_bytes;
  std::vector<StrRef> comm, wchan;
  void truncate(size_t n);
  size_t size() const { return tid.size(); }
};
// Walks <pid>/task: appends the readable threads to rows (and their strings to arena).
// Returns 0, or the errno when task/ cannot be listed (TASK_ERR). Rows are removed again when < 2 threads read.
int walk_threads(int pid_dirfd, bool thread_io, bool procfs, ReadBuf& buf, ThreadRows& rows, Arena& arena);

}  // namespace nps

#include "parallel.h"
