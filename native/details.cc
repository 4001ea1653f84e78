// Phase 2: the details of tracked and new processes only (SPEC §9, PERF.md "known ways to read less").
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan.h"

namespace nps {

namespace {

struct Row {
  uint16_t flags = 0;
  int32_t uid = 0;
  double ctx_vol = 0, ctx_nonvol = 0, swap_bytes = 0, fd_limit = 0, read_bytes = 0, write_bytes = 0;
  double fd_open = 0, pss = 0, swap_pss = 0;
  StrRef wchan, cmdline, cgroup;
  uint32_t thread_begin = 0, thread_count = 0;
  uint8_t owner = 0;
};

struct Worker {
  ReadBuf buf;
  Arena arena;
  ThreadRows threads;
};

// Soft RLIMIT_NOFILE: prlimit() costs 0.7 us where reading limits costs 12.6 us (PERF.md), but it only
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
// readdir); 0 there, or any non-procfs tree, means count the entries (SPEC §1.3). Returns 0 or errno.
int read_fd_count(const Root& root, int pidfd, double& count) {
  if (root.real_procfs) {
    struct stat st;
    if (fstatat(pidfd, "fd", &st, 0) != 0) return errno;
    if (st.st_size > 0) {
      count = static_cast<double>(st.st_size);
      return 0;
    }
  }
  int fd = open_dir_at(pidfd, "fd");
  if (fd < 0) return -fd;
  long n = count_dir_entries(fd);
  if (n < 0) return static_cast<int>(-n);
  count = static_cast<double>(n);
  return 0;
}

// Pss/SwapPss: smaps_rollup, or summed smaps only when opening smaps_rollup fails with ENOENT (SPEC §9).
// Returns 0, an errno, or -1 for a parse error.
int read_smaps(int pidfd, ReadBuf& buf, double& pss, double& swap_pss) {
  int err = read_file_at(pidfd, "smaps_rollup", buf, kReadLimit);
  if (err == 0) return parse_smaps_rollup(buf.data(), buf.len, pss, swap_pss) ? 0 : -1;
  if (!(err == ENOENT && buf.open_failed)) return err;
  err = read_file_at(pidfd, "smaps", buf, kNoLimit);
  if (err) return err;
  return parse_smaps_summed(buf.data(), buf.len, pss, swap_pss) ? 0 : -1;
}

// The same reads, flags and order as ts-reader.ts readOne(), so both readers agree row by row even
// when a process exits half way: values read before it vanished stay, GONE ends the row.
void read_row(const Root& root, int rootfd, const DetailRequest& req, size_t i, Worker& w, Row& row) {
  const int32_t pid = req.pids[i];
  ReadBuf& buf = w.buf;
  Arena& arena = w.arena;
  const bool procfs = root.real_procfs;
  char name[16];
  format_int(name, pid);
  row.fd_open = -1;
  row.wchan.off = row.cmdline.off = row.cgroup.off = static_cast<uint32_t>(arena.bytes.size());
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
  int pidfd = rootfd >= 0 ? openat(rootfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC)
                          : open((root.path + "/" + name).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (pidfd < 0) {
    int err = errno;
    if (vanished(err)) {
      row.flags = GONE;
      return;
    }
    // Not a directory (or not reachable): every read below would fail the same way in the TS reader.
    row.flags = STATUS_ERR | LIMITS_ERR | IO_ERR | FD_ERR | WCHAN_ERR;
    if (req.gather_smaps) row.flags |= SMAPS_ERR;
    if (req.want_static[i]) row.flags |= CMDLINE_ERR;
    if (req.want_threads[i]) row.flags |= TASK_ERR;
    return;
  }

  int err;
  bool parse_error;
  // The row ends at the first read that finds the pid directory gone.
#define NPS_GONE_IF(e)  \
  if (vanished(e)) {    \
    row.flags |= GONE;  \
    goto gone;          \
  }
  {
    StatusFields status;
    err = read_file_at(pidfd, "status", buf, kReadLimit, procfs);
    if (err == 0 && parse_status(buf.data(), buf.len, status)) {
      row.uid = status.uid;
      row.ctx_vol = status.ctx_vol;
      row.ctx_nonvol = status.ctx_nonvol;
      row.swap_bytes = status.swap_bytes;
    } else {
      NPS_GONE_IF(err);
      row.flags |= err == 0 ? STATUS_ERR | STATUS_UNPARSABLE : STATUS_ERR;
    }
  }
  err = read_fd_limit(root, pid, pidfd, buf, row.fd_limit, parse_error);
  if (err || parse_error) {
    row.fd_limit = 0;
    NPS_GONE_IF(err);
    row.flags |= err == 0 ? LIMITS_ERR | LIMITS_UNPARSABLE : LIMITS_ERR;
  }
  err = read_file_at(pidfd, "io", buf, kReadLimit, procfs);
  if (err || !parse_io(buf.data(), buf.len, row.read_bytes, row.write_bytes)) {
    row.read_bytes = row.write_bytes = 0;
    NPS_GONE_IF(err);
    row.flags |= IO_ERR;
  }
  err = read_fd_count(root, pidfd, row.fd_open);
  if (err) {
    row.fd_open = -1;
    NPS_GONE_IF(err);
    row.flags |= FD_ERR;
  }
  if (req.gather_smaps) {
    err = read_smaps(pidfd, buf, row.pss, row.swap_pss);
    if (err) {
      row.pss = row.swap_pss = 0;
      NPS_GONE_IF(err);
      row.flags |= SMAPS_ERR;
    }
  }
  if (req.want_static[i]) {
    err = read_file_at(pidfd, "cmdline", buf, kReadLimit);
    if (err == 0) {
      row.cmdline.off = arena.push(buf.data(), buf.len);
      row.cmdline.len = static_cast<uint32_t>(buf.len);
    } else {
      NPS_GONE_IF(err);
      row.flags |= CMDLINE_ERR;
    }
    // A missing cgroup file reads as empty, as the reference does.
    err = read_file_at(pidfd, "cgroup", buf, kReadLimit);
    if (err == 0) {
      row.cgroup.off = arena.push(buf.data(), buf.len);
      row.cgroup.len = static_cast<uint32_t>(buf.len);
    } else {
      NPS_GONE_IF(err);
    }
  }
  if (req.want_threads[i]) {
    err = walk_threads(pidfd, req.thread_io, procfs, buf, w.threads, arena);
    row.thread_count = static_cast<uint32_t>(w.threads.size() - row.thread_begin);
    if (err) {
      NPS_GONE_IF(err);
      row.flags |= TASK_ERR;
    }
  }
  // wchan only matters for processes that count as single-threaded (SPEC §0 row 3).
  if (row.thread_count < 2) {
    err = read_file_at(pidfd, "wchan", buf, kNoLimit, procfs);
    if (err == 0) {
      row.wchan.off = arena.push(buf.data(), buf.len);
      row.wchan.len = static_cast<uint32_t>(buf.len);
    } else {
      NPS_GONE_IF(err);
      row.flags |= WCHAN_ERR;
    }
  }
  close(pidfd);
  return;
#undef NPS_GONE_IF
gone:
  w.threads.truncate(row.thread_begin);
  row.thread_count = 0;
  close(pidfd);
}

void pack(const std::vector<Row>& rows, const std::vector<Worker>& workers, StrRef Row::*field, Packed& out) {
  size_t total = 0;
  for (const Row& r : rows) total += (r.*field).len;
  out.bytes.resize(total);
  out.offsets.resize(rows.size() + 1);
  size_t off = 0;
  for (size_t i = 0; i < rows.size(); i++) {
    const StrRef& s = rows[i].*field;
    out.offsets[i] = static_cast<uint32_t>(off);
    if (s.len) memcpy(out.bytes.data() + off, workers[rows[i].owner].arena.bytes.data() + s.off, s.len);
    off += s.len;
  }
  out.offsets[rows.size()] = static_cast<uint32_t>(off);
}

}  // namespace

int read_details(const Root& root, int threads, const DetailRequest& req, DetailColumns& out, std::string& msg) {
  (void)msg;
  const size_t n = req.pids.size();
  // An unopenable root is not an error here: every row then reads as gone (or unreadable), like the TS reader.
  int rootfd = open(root.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  std::vector<Row> rows(n);
  int nworkers = threads < 1 ? 1 : threads > 64 ? 64 : threads;
  std::vector<Worker> workers(nworkers);
  parallel_for(nworkers, n, 16, [&](int wi, size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      rows[i].owner = static_cast<uint8_t>(wi);
      read_row(root, rootfd, req, i, workers[wi], rows[i]);
    }
  });
  if (rootfd >= 0) close(rootfd);

  out.flags.resize(n);
  out.uid.resize(n);
  out.ctx_vol.resize(n);
  out.ctx_nonvol.resize(n);
  out.swap_bytes.resize(n);
  out.fd_limit.resize(n);
  out.read_bytes.resize(n);
  out.write_bytes.resize(n);
  out.fd_open.resize(n);
  out.pss.resize(n);
  out.swap_pss.resize(n);
  out.thread_start.resize(n + 1);
  size_t nthreads = 0;
  for (size_t i = 0; i < n; i++) {
    const Row& r = rows[i];
    out.flags[i] = r.flags;
    out.uid[i] = r.uid;
    out.ctx_vol[i] = r.ctx_vol;
    out.ctx_nonvol[i] = r.ctx_nonvol;
    out.swap_bytes[i] = r.swap_bytes;
    out.fd_limit[i] = r.fd_limit;
    out.read_bytes[i] = r.read_bytes;
    out.write_bytes[i] = r.write_bytes;
    out.fd_open[i] = r.fd_open;
    out.pss[i] = r.pss;
    out.swap_pss[i] = r.swap_pss;
    out.thread_start[i] = static_cast<uint32_t>(nthreads);
    nthreads += r.thread_count;
  }
  out.thread_start[n] = static_cast<uint32_t>(nthreads);
  pack(rows, workers, &Row::wchan, out.wchan);
  pack(rows, workers, &Row::cmdline, out.cmdline);
  pack(rows, workers, &Row::cgroup, out.cgroup);

  // Threads: copy each row's slice out of its worker's rows, in request order.
  ThreadColumns& t = out.threads;
  t.tid.resize(nthreads);
  t.start_ticks.resize(nthreads);
  t.state.resize(nthreads);
  t.minflt.resize(nthreads);
  t.majflt.resize(nthreads);
  t.utime.resize(nthreads);
  t.stime.resize(nthreads);
  t.ctx_vol.resize(nthreads);
  t.ctx_nonvol.resize(nthreads);
  t.read_bytes.resize(nthreads);
  t.write_bytes.resize(nthreads);
  size_t comm_total = 0, wchan_total = 0;
  for (const Row& r : rows) {
    const ThreadRows& tr = workers[r.owner].threads;
    for (uint32_t k = 0; k < r.thread_count; k++) {
      comm_total += tr.comm[r.thread_begin + k].len;
      wchan_total += tr.wchan[r.thread_begin + k].len;
    }
  }
  t.comm.bytes.resize(comm_total);
  t.comm.offsets.resize(nthreads + 1);
  t.wchan.bytes.resize(wchan_total);
  t.wchan.offsets.resize(nthreads + 1);
  size_t j = 0, coff = 0, woff = 0;
  for (const Row& r : rows) {
    const Worker& w = workers[r.owner];
    const ThreadRows& tr = w.threads;
    for (uint32_t k = 0; k < r.thread_count; k++, j++) {
      size_t s = r.thread_begin + k;
      t.tid[j] = tr.tid[s];
      t.start_ticks[j] = tr.start_ticks[s];
      t.state[j] = tr.state[s];
      t.minflt[j] = tr.minflt[s];
      t.majflt[j] = tr.majflt[s];
      t.utime[j] = tr.utime[s];
      t.stime[j] = tr.stime[s];
      t.ctx_vol[j] = tr.ctx_vol[s];
      t.ctx_nonvol[j] = tr.ctx_nonvol[s];
      t.read_bytes[j] = tr.read_bytes[s];
      t.write_bytes[j] = tr.write_bytes[s];
      t.comm.offsets[j] = static_cast<uint32_t>(coff);
      if (tr.comm[s].len) memcpy(t.comm.bytes.data() + coff, w.arena.bytes.data() + tr.comm[s].off, tr.comm[s].len);
      coff += tr.comm[s].len;
      t.wchan.offsets[j] = static_cast<uint32_t>(woff);
      if (tr.wchan[s].len) memcpy(t.wchan.bytes.data() + woff, w.arena.bytes.data() + tr.wchan[s].off, tr.wchan[s].len);
      woff += tr.wchan[s].len;
    }
  }
  t.comm.offsets[nthreads] = static_cast<uint32_t>(coff);
  t.wchan.offsets[nthreads] = static_cast<uint32_t>(woff);
  return 0;
}

}  // namespace nps
