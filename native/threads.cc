// The task/ walk of one multi-threaded process (docs/behaviour.md#threads, docs/behaviour.md differences #6: no thread cmdline/cgroup,
// thread io only when asked).
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "scan.h"

namespace nps {

int walk_threads(int pid_dirfd, bool thread_io, bool procfs, ReadBuf& buf, ThreadRows& rows, Arena& arena) {
  Fd taskfd(open_dir_at(pid_dirfd, "task"));
  if (!taskfd.ok()) return -taskfd.get();
  const size_t first = rows.size();
  const size_t arena_mark = arena.bytes.size();
  DirIter it(taskfd.get());
  StatFields st;
  StatusFields status;
  char tname[16];
  while (const char* name = it.next()) {
    int32_t tid;
    if (!parse_pid_name(name, tid)) continue;
    format_int(tname, tid);  // "007" is read as "7/", like pid directories
    Fd tfd(openat(taskfd.get(), tname, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!tfd.ok()) continue;  // the thread exited between the listing and now
    // A thread whose stat or status cannot be read is skipped (docs/behaviour.md#threads).
    if (read_file_at(tfd.get(), "stat", buf, kReadLimit, procfs) != 0 || !parse_stat(buf.data(), buf.len, st)) continue;
    ThreadRow row;
    row.comm.off = arena.push(st.comm, st.comm_len);
    row.comm.len = static_cast<uint32_t>(st.comm_len);
    if (read_file_at(tfd.get(), "status", buf, kReadLimit, procfs) != 0 || !parse_status(buf.data(), buf.len, status)) {
      arena.bytes.resize(row.comm.off);
      continue;
    }
    // An unreadable thread io is zero and not an error (docs/behaviour.md#threads).
    if (thread_io && (read_file_at(tfd.get(), "io", buf, kReadLimit, procfs) != 0 ||
                      !parse_io(buf.data(), buf.len, row.read_bytes, row.write_bytes)))
      row.read_bytes = row.write_bytes = 0;
    row.wchan.off = static_cast<uint32_t>(arena.bytes.size());
    if (read_file_at(tfd.get(), "wchan", buf, kNoLimit, procfs) == 0) {
      row.wchan.off = arena.push(buf.data(), buf.len);
      row.wchan.len = static_cast<uint32_t>(buf.len);
    }
    row.tid = tid;
    set_stat_values(st, row);
    row.ctx_vol = status.ctx_vol;
    row.ctx_nonvol = status.ctx_nonvol;
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
