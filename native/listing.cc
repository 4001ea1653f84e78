// Phase 1: list <procfs> and read every pid's stat (docs/behaviour.md#one-cycle steps 1-2.1).
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"

namespace nps {

// A pid directory name: Go strconv.ParseInt(name, 10, 64) (a sign is allowed, docs/behaviour.md#differences-from-the-reference corrections).
// Names whose value does not fit the Int32 pid column are not processes on any real kernel: skipped.
bool parse_pid_name(const char* s, int32_t& pid) {
  bool neg = false;
  if (*s == '+' || *s == '-') {
    neg = *s == '-';
    s++;
  }
  if (!*s) return false;
  int64_t v = 0;
  for (; *s; s++) {
    unsigned d = static_cast<unsigned char>(*s) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
    if (v > 0x7fffffffLL + (neg ? 1 : 0)) return false;
  }
  pid = static_cast<int32_t>(neg ? -v : v);
  return true;
}

namespace {
struct Row {
  bool ok = false;
  uint8_t owner = 0;  // the worker whose arena holds the comm
  StatRow r;
};
}  // namespace

int list_procs(const Root& root, int threads, StatColumns& out, std::string& msg) {
  Fd rootfd(open(root.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd.ok()) {
    int e = errno;
    msg = "open " + root.path + ": " + errtext(e);
    return e;
  }
  std::vector<int32_t> pids;
  pids.reserve(4096);
  {
    DirIter it(rootfd.get());
    int32_t pid;
    while (const char* name = it.next()) {
      if (parse_pid_name(name, pid)) pids.push_back(pid);
    }
    if (it.err()) {
      int e = it.err();
      msg = "open " + root.path + ": " + errtext(e);
      return e;
    }
  }

  const size_t n = pids.size();
  std::vector<Row> rows(n);
  int workers = threads < 1 ? 1 : threads > 64 ? 64 : threads;
  std::vector<ReadBuf> bufs(workers);
  std::vector<Arena> arenas(workers);
  parallel_for(workers, n, 64, [&](int w, size_t begin, size_t end) {
    ReadBuf& buf = bufs[w];
    Arena& arena = arenas[w];
    char path[32];
    StatFields f;
    for (size_t i = begin; i < end; i++) {
      // The name is re-formatted before use: "007" is read as "7/stat" (docs/behaviour.md#differences-from-the-reference corrections).
      int len = format_int(path, pids[i]);
      memcpy(path + len, "/stat", 6);
      if (read_file_at(rootfd.get(), path, buf, kReadLimit, root.real_procfs) != 0) continue;
      if (!parse_stat(buf.data(), buf.len, f)) continue;
      Row& row = rows[i];
      row.ok = true;
      row.owner = static_cast<uint8_t>(w);
      StatRow& r = row.r;
      r.pid = pids[i];
      set_stat_values(f, r);
      r.ppid = f.ppid;
      r.num_threads = f.num_threads;
      r.vsize = f.vsize;
      r.rss = f.rss;
      r.comm.off = arena.push(f.comm, f.comm_len);
      r.comm.len = static_cast<uint32_t>(f.comm_len);
    }
  });

  size_t count = 0;
  for (const Row& row : rows) count += row.ok;
  out.reserve(count);
  for (const Row& row : rows)
    if (row.ok) out.push(row.r, arenas[row.owner]);
  return 0;
}

}  // namespace nps
