// The task/ walk of one multi-threaded process (docs/behaviour.md#threads, docs/behaviour.md differences #6: no thread cmdline/cgroup,
// thread io only when asked), and the hold of threads that have not run since the last cycle (docs/performance.md).
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "scan.h"

namespace nps {

namespace {

// The index of tid among the known threads, or -1. Listings come in the same order cycle after cycle
// (tid order), so the search starts where the last one ended.
long find_known(const KnownThreads& k, int32_t tid, size_t& hint) {
  for (size_t step = 0; step < k.n; step++) {
    size_t j = hint + step < k.n ? hint + step : hint + step - k.n;
    if (k.tid[j] == tid) {
      hint = j + 1 < k.n ? j + 1 : 0;
      return static_cast<long>(j);
    }
  }
  return -1;
}

}  // namespace

int walk_threads(int pid_dirfd, bool thread_io, bool procfs, ReadBuf& buf, ThreadRows& rows, Arena& arena,
                 const KnownThreads* known) {
  Fd taskfd(open_dir_at(pid_dirfd, "task"));
  if (!taskfd.ok()) return -taskfd.get();
  const size_t first = rows.size();
  const size_t arena_mark = arena.bytes.size();
  DirIter it(taskfd.get());
  StatFields st;
  StatusFields status;
  char tname[16];
  size_t hint = 0;
  while (const char* name = it.next()) {
    int32_t tid;
    if (!parse_pid_name(name, tid)) continue;
    format_int(tname, tid);  // "007" is read as "7/", like pid directories
    Fd tfd(openat(taskfd.get(), tname, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!tfd.ok()) continue;  // the thread exited between the listing and now
    ThreadRow row;
    // schedstat before every other file of the thread: what it ran after this read shows next cycle
    long k = -1;
    if (known) {
      k = find_known(*known, tid, hint);
      if (k >= 0 && known->pre[2 * k] == known->pre[2 * k]) {
        row.sched_run = known->pre[2 * k];
        row.sched_slices = known->pre[2 * k + 1];
      } else if (read_file_at(tfd.get(), "schedstat", buf, kReadLimit, procfs) != 0 ||
                 !parse_schedstat(buf.data(), buf.len, row.sched_run, row.sched_slices)) {
        row.sched_run = row.sched_slices = 0;
        row.flags |= T_SCHED_ERR;
      }
    }
    // A thread whose stat or status cannot be read is skipped (docs/behaviour.md#threads).
    if (read_file_at(tfd.get(), "stat", buf, kReadLimit, procfs) != 0 || !parse_stat(buf.data(), buf.len, st)) continue;
    const bool held = k >= 0 && !(row.flags & T_SCHED_ERR) && row.sched_run == known->sched[2 * k] &&
                      row.sched_slices == known->sched[2 * k + 1] && st.state == known->state[k];
    row.comm.off = arena.push(st.comm, st.comm_len);
    row.comm.len = static_cast<uint32_t>(st.comm_len);
    row.wchan.off = static_cast<uint32_t>(arena.bytes.size());
    if (held) {
      row.flags |= T_HELD;
    } else {
      if (read_file_at(tfd.get(), "status", buf, kReadLimit, procfs) != 0 || !parse_status(buf.data(), buf.len, status)) {
        arena.bytes.resize(row.comm.off);
        continue;
      }
      row.ctx_vol = status.ctx_vol;
      row.ctx_nonvol = status.ctx_nonvol;
      // An unreadable thread io is zero and not an error (docs/behaviour.md#threads).
      if (thread_io && (read_file_at(tfd.get(), "io", buf, kReadLimit, procfs) != 0 ||
                        !parse_io(buf.data(), buf.len, row.read_bytes, row.write_bytes))) {
        row.read_bytes = row.write_bytes = 0;
        row.flags |= T_IO_ERR;
      }
      if (read_file_at(tfd.get(), "wchan", buf, kNoLimit, procfs) == 0) {
        row.wchan.off = arena.push(buf.data(), buf.len);
        row.wchan.len = static_cast<uint32_t>(buf.len);
      } else {
        row.flags |= T_WCHAN_ERR;
      }
    }
    row.tid = tid;
    set_stat_values(st, row);
    rows.push_back(row);
  }
  int err = it.err();
  // Fewer than 2 readable threads: the process counts as single-threaded and gets none (docs/behaviour.md#threads).
  if (err || rows.size() - first < 2) {
    rows.resize(first);
    arena.bytes.resize(arena_mark);
  }
  return err;
}

}  // namespace nps
