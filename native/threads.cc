// The task/ walk of one multi-threaded process (SPEC §5.7, §0 row 6: no thread cmdline/cgroup,
// thread io only when asked).
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "scan.h"

namespace nps {

void ThreadRows::truncate(size_t n) {
  tid.resize(n);
  start_ticks.resize(n);
  state.resize(n);
  minflt.resize(n);
  majflt.resize(n);
  utime.resize(n);
  stime.resize(n);
  ctx_vol.resize(n);
  ctx_nonvol.resize(n);
  read_bytes.resize(n);
  write_bytes.resize(n);
  comm.resize(n);
  wchan.resize(n);
}

int walk_threads(int pid_dirfd, bool thread_io, bool procfs, ReadBuf& buf, ThreadRows& rows, Arena& arena) {
  int taskfd = open_dir_at(pid_dirfd, "task");
  if (taskfd < 0) return -taskfd;
  const size_t first = rows.size();
  const size_t arena_mark = arena.bytes.size();
  DirIter it(taskfd);
  StatFields st;
  StatusFields status;
  char tname[16];
  while (const char* name = it.next()) {
    int32_t tid;
    if (!parse_pid_name(name, tid)) continue;
    format_int(tname, tid);  // "007" is read as "7/", like pid directories
    int tfd = openat(taskfd, tname, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (tfd < 0) continue;  // the thread exited between the listing and now
    // A thread whose stat or status cannot be read is skipped (SPEC §5.7).
    if (read_file_at(tfd, "stat", buf, kReadLimit, procfs) != 0 || !parse_stat(buf.data(), buf.len, st)) {
      close(tfd);
      continue;
    }
    StrRef comm;
    comm.off = arena.push(st.comm, st.comm_len);
    comm.len = static_cast<uint32_t>(st.comm_len);
    if (read_file_at(tfd, "status", buf, kReadLimit, procfs) != 0 || !parse_status(buf.data(), buf.len, status)) {
      arena.bytes.resize(comm.off);
      close(tfd);
      continue;
    }
    double rb = 0, wb = 0;
    // An unreadable thread io is zero and not an error (SPEC §5.7).
    if (thread_io && (read_file_at(tfd, "io", buf, kReadLimit, procfs) != 0 || !parse_io(buf.data(), buf.len, rb, wb)))
      rb = wb = 0;
    StrRef wchan;
    wchan.off = static_cast<uint32_t>(arena.bytes.size());
    if (read_file_at(tfd, "wchan", buf, kNoLimit, procfs) == 0) {
      wchan.off = arena.push(buf.data(), buf.len);
      wchan.len = static_cast<uint32_t>(buf.len);
    }
    close(tfd);
    rows.tid.push_back(tid);
    rows.start_ticks.push_back(st.start_ticks);
    rows.state.push_back(st.state);
    rows.minflt.push_back(st.minflt);
    rows.majflt.push_back(st.majflt);
    rows.utime.push_back(st.utime);
    rows.stime.push_back(st.stime);
    rows.ctx_vol.push_back(status.ctx_vol);
    rows.ctx_nonvol.push_back(status.ctx_nonvol);
    rows.read_bytes.push_back(rb);
    rows.write_bytes.push_back(wb);
    rows.comm.push_back(comm);
    rows.wchan.push_back(wchan);
  }
  int err = it.err();
  close(taskfd);
  // Fewer than 2 readable threads: the process counts as single-threaded and gets none (SPEC §5.7).
  if (err || rows.size() - first < 2) {
    rows.truncate(first);
    arena.bytes.resize(arena_mark);
  }
  return err;
}

}  // namespace nps
