// Phase 2: the details of tracked and new processes only (docs/behaviour.md#files-read, docs/performance.md).
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <limits>

#include "scan.h"

namespace nps {

namespace {

// A request row's values, and where its threads and strings are: in worker `owner`'s rows and arena.
struct Row : DetailRow {
  uint32_t thread_begin = 0, thread_count = 0;
  uint8_t owner = 0;
};

struct Worker {
  ReadBuf buf;
  Arena arena;
  ThreadRows threads;
  std::vector<double> pre;  // the known threads' schedstat read before the walk (thread_hold 2)
};

// thread_hold 2: reads the schedstat of each known thread (task/<tid>/schedstat, no listing) into pre.
// True when every one was read and equals its pair of the last cycle: no thread ran, none exited, and so
// none was created (only a thread of the process can create one), which is what the caller's unchanged
// stat and thread count agree with. Stops at the first that moved; the rest stay NaN in pre.
bool no_thread_ran(int pidfd, const DetailRequest& req, size_t i, bool procfs, Worker& w) {
  const size_t b = req.known_start[i], e = req.known_start[i + 1];
  w.pre.assign(2 * (e - b), std::numeric_limits<double>::quiet_NaN());
  if (e - b < 2) return false;
  char path[32];
  for (size_t k = b; k < e; k++) {
    memcpy(path, "task/", 5);
    int len = format_int(path + 5, req.known_tid[k]);
    memcpy(path + 5 + len, "/schedstat", 11);
    double run, slices;
    if (read_file_at(pidfd, path, w.buf, kReadLimit, procfs) != 0 || !parse_schedstat(w.buf.data(), w.buf.len, run, slices))
      return false;
    w.pre[2 * (k - b)] = run;
    w.pre[2 * (k - b) + 1] = slices;
    if (run != req.known_sched[2 * k] || slices != req.known_sched[2 * k + 1]) return false;
  }
  return true;
}

// Soft RLIMIT_NOFILE: prlimit() costs 0.7 us where reading limits costs 12.6 us (docs/performance.md), but it only
// names the right process when <procfs> is our own pid namespace's /proc; any failure (EPERM on another
// user's process without CAP_SYS_RESOURCE, ESRCH) falls back to the world-readable file.
int read_fd_limit(const Root& root, int pid, int pidfd, ReadBuf& buf, double& soft, bool& parse_error) {
  parse_error = false;
  if (root.own_procfs) {
    struct rlimit rl;
    if (prlimit(pid, RLIMIT_NOFILE, nullptr, &rl) == 0) {
      soft = rl.rlim_cur == RLIM_INFINITY ? 18446744073709551615.0 : static_cast<double>(rl.rlim_cur);
      return 0;
    }
  }
  int err = read_file_at(pidfd, "limits", buf, kNoLimit, root.real_procfs);
  if (err) return err;
  parse_error = !parse_limits_nofile(buf.data(), buf.len, soft);
  return 0;
}

// Open fds: st_size of <pid>/fd on a real procfs (Linux >= 6.2 fills it in, 3.3 us instead of a
// readdir); 0 there, or any non-procfs tree, means count the entries (docs/behaviour.md#where-the-values-come-from). Returns 0 or errno.
int read_fd_count(const Root& root, int pidfd, double& count) {
  if (root.real_procfs) {
    struct stat st;
    if (fstatat(pidfd, "fd", &st, 0) != 0) return errno;
    if (st.st_size > 0) {
      count = static_cast<double>(st.st_size);
      return 0;
    }
  }
  Fd fd(open_dir_at(pidfd, "fd"));
  if (!fd.ok()) return -fd.get();
  long n = count_dir_entries(fd.get());
  if (n < 0) return static_cast<int>(-n);
  count = static_cast<double>(n);
  return 0;
}

// Pss/SwapPss: smaps_rollup, or summed smaps only when opening smaps_rollup fails with ENOENT (docs/behaviour.md#files-read).
// Returns 0, an errno, or -1 for a parse error.
int read_smaps(int pidfd, ReadBuf& buf, double& pss, double& swap_pss) {
  int err = read_file_at(pidfd, "smaps_rollup", buf, kReadLimit);
  if (err == 0) return parse_smaps_rollup(buf.data(), buf.len, pss, swap_pss) ? 0 : -1;
  if (!(err == ENOENT && buf.open_failed)) return err;
  err = read_file_at(pidfd, "smaps", buf, kNoLimit);
  if (err) return err;
  return parse_smaps_summed(buf.data(), buf.len, pss, swap_pss) ? 0 : -1;
}

// Reads the files of one process into row. Returns false when a read found the pid directory gone:
// the row ends there, with the values read before.
template <class Vanished>
bool read_files(const Root& root, int pidfd, const DetailRequest& req, size_t i, Worker& w, Row& row,
                const Vanished& vanished) {
  ReadBuf& buf = w.buf;
  Arena& arena = w.arena;
  const bool procfs = root.real_procfs;
  int err;
  // schedstat first: a process that has not been on a CPU since the last read (same run time, same
  // number of switches in) cannot have changed its status, io or wchan (docs/performance.md).
  bool held = false;
  const uint8_t sched = req.sched.empty() ? 0 : req.sched[i];
  if (sched) {
    err = read_file_at(pidfd, "schedstat", buf, kReadLimit, procfs);
    if (err == 0 && parse_schedstat(buf.data(), buf.len, row.sched_run, row.sched_slices)) {
      held = sched == 2 && row.sched_run == req.sched_prev[2 * i] && row.sched_slices == req.sched_prev[2 * i + 1];
    } else {
      row.sched_run = row.sched_slices = 0;
      if (vanished(err)) return false;
      row.flags |= SCHED_ERR;
    }
  }
  // a multi-threaded process of which no thread ran: its status and io (and its threads) as last cycle
  const uint8_t thread_hold = req.thread_hold.empty() || !req.want_threads[i] ? 0 : req.thread_hold[i];
  if (thread_hold == 2 && no_thread_ran(pidfd, req, i, procfs, w)) {
    held = true;
    row.flags |= THREADS_HELD;
  }
  if (held) row.flags |= HELD;
  if (!held) {
    StatusFields status;
    err = read_file_at(pidfd, "status", buf, kReadLimit, procfs);
    if (err == 0 && parse_status(buf.data(), buf.len, status)) {
      row.uid = status.uid;
      row.ctx_vol = status.ctx_vol;
      row.ctx_nonvol = status.ctx_nonvol;
      row.swap_bytes = status.swap_bytes;
    } else {
      if (vanished(err)) return false;
      row.flags |= err == 0 ? STATUS_ERR | STATUS_UNPARSABLE : STATUS_ERR;
    }
  }
  bool parse_error;
  err = read_fd_limit(root, req.pids[i], pidfd, buf, row.fd_limit, parse_error);
  if (err || parse_error) {
    row.fd_limit = 0;
    if (vanished(err)) return false;
    row.flags |= err == 0 ? LIMITS_ERR | LIMITS_UNPARSABLE : LIMITS_ERR;
  }
  if (!held) {
    err = read_file_at(pidfd, "io", buf, kReadLimit, procfs);
    if (err || !parse_io(buf.data(), buf.len, row.read_bytes, row.write_bytes)) {
      row.read_bytes = row.write_bytes = 0;
      if (vanished(err)) return false;
      row.flags |= IO_ERR;
    }
  }
  err = read_fd_count(root, pidfd, row.fd_open);
  if (err) {
    row.fd_open = -1;
    if (vanished(err)) return false;
    row.flags |= FD_ERR;
  }
  if (req.smaps_for(i)) {
    err = read_smaps(pidfd, buf, row.pss, row.swap_pss);
    if (err) {
      row.pss = row.swap_pss = 0;
      if (vanished(err)) return false;
      row.flags |= SMAPS_ERR;
    }
  }
  if (req.want_static[i]) {
    err = read_file_at(pidfd, "cmdline", buf, kReadLimit);
    if (err == 0) {
      row.cmdline.off = arena.push(buf.data(), buf.len);
      row.cmdline.len = static_cast<uint32_t>(buf.len);
    } else {
      if (vanished(err)) return false;
      row.flags |= CMDLINE_ERR;
    }
    // A missing cgroup file reads as empty, as the reference does.
    err = read_file_at(pidfd, "cgroup", buf, kReadLimit);
    if (err == 0) {
      row.cgroup.off = arena.push(buf.data(), buf.len);
      row.cgroup.len = static_cast<uint32_t>(buf.len);
    } else if (vanished(err)) {
      return false;
    }
  }
  if (req.want_threads[i] && !(row.flags & THREADS_HELD)) {
    KnownThreads known;
    if (thread_hold) {
      const size_t b = req.known_start[i];
      known.n = req.known_start[i + 1] - b;
      known.tid = req.known_tid.data() + b;
      known.sched = req.known_sched.data() + 2 * b;
      known.state = req.known_state.data() + b;
      if (thread_hold != 2) w.pre.assign(2 * known.n, std::numeric_limits<double>::quiet_NaN());
      known.pre = w.pre.data();
    }
    err = walk_threads(pidfd, req.thread_io, procfs, buf, w.threads, arena, thread_hold ? &known : nullptr);
    row.thread_count = static_cast<uint32_t>(w.threads.size() - row.thread_begin);
    if (err) {
      if (vanished(err)) return false;
      row.flags |= TASK_ERR;
    }
  }
  // wchan only matters for processes that count as single-threaded (docs/behaviour.md differences #3).
  if (row.thread_count < 2 && !held) {
    err = read_file_at(pidfd, "wchan", buf, kNoLimit, procfs);
    if (err == 0) {
      row.wchan.off = arena.push(buf.data(), buf.len);
      row.wchan.len = static_cast<uint32_t>(buf.len);
    } else {
      if (vanished(err)) return false;
      row.flags |= WCHAN_ERR;
    }
  }
  return true;
}

// The same reads, flags and order as readRow() in src/proc/ts-reader-core.ts, so both readers agree
// row by row even when a process exits half way.
void read_row(const Root& root, int rootfd, const DetailRequest& req, size_t i, Worker& w, Row& row) {
  char name[16];
  format_int(name, req.pids[i]);
  row.fd_open = -1;
  row.wchan.off = row.cmdline.off = row.cgroup.off = static_cast<uint32_t>(w.arena.bytes.size());
  row.thread_begin = static_cast<uint32_t>(w.threads.size());
  row.thread_count = 0;

  // A failed read means "gone" only when the pid directory itself has disappeared.
  auto vanished = [&](int err) -> bool {
    if (err != ENOENT && err != ESRCH) return false;
    struct stat st;
    int rc = rootfd >= 0 ? fstatat(rootfd, name, &st, 0) : stat((root.path + "/" + name).c_str(), &st);
    return rc != 0 && errno == ENOENT;
  };

  // One directory fd per process: every file below is opened relative to it (no path walk each time).
  Fd pidfd(rootfd >= 0 ? openat(rootfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC)
                       : open((root.path + "/" + name).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!pidfd.ok()) {
    int err = errno;
    if (vanished(err)) {
      row.flags = GONE;
      return;
    }
    // Not a directory (or not reachable): every read below would fail the same way in the TS reader.
    row.flags = STATUS_ERR | LIMITS_ERR | IO_ERR | FD_ERR | WCHAN_ERR;
    if (req.smaps_for(i)) row.flags |= SMAPS_ERR;
    if (!req.sched.empty() && req.sched[i]) row.flags |= SCHED_ERR;
    if (req.want_static[i]) row.flags |= CMDLINE_ERR;
    if (req.want_threads[i]) row.flags |= TASK_ERR;
    return;
  }
  if (!read_files(root, pidfd.get(), req, i, w, row, vanished)) {
    row.flags |= GONE;
    w.threads.resize(row.thread_begin);
    row.thread_count = 0;
  }
}

}  // namespace

int read_details(const Root& root, int threads, const DetailRequest& req, DetailColumns& out, std::string& msg) {
  (void)msg;
  const size_t n = req.pids.size();
  // An unopenable root is not an error here: every row then reads as gone (or unreadable), like the TS reader.
  Fd rootfd(open(root.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  std::vector<Row> rows(n);
  int nworkers = threads < 1 ? 1 : threads > 64 ? 64 : threads;
  std::vector<Worker> workers(nworkers);
  parallel_for(nworkers, n, 16, [&](int wi, size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      rows[i].owner = static_cast<uint8_t>(wi);
      read_row(root, rootfd.get(), req, i, workers[wi], rows[i]);
    }
  });

  out.reserve(n);
  out.thread_start.resize(n + 1);
  size_t nthreads = 0;
  for (size_t i = 0; i < n; i++) {
    out.push(rows[i], workers[rows[i].owner].arena);
    out.thread_start[i] = static_cast<uint32_t>(nthreads);
    nthreads += rows[i].thread_count;
  }
  out.thread_start[n] = static_cast<uint32_t>(nthreads);

  // Threads: copy each row's slice out of its worker's rows, in request order.
  out.threads.reserve(nthreads);
  for (const Row& r : rows) {
    const Worker& w = workers[r.owner];
    for (uint32_t k = 0; k < r.thread_count; k++) out.threads.push(w.threads[r.thread_begin + k], w.arena);
  }
  return 0;
}

}  // namespace nps
