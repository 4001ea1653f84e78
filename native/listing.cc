// Phase 1: list <procfs> and read every pid's stat (SPEC §5.1 steps 1-2.1).
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"

namespace nps {

// A pid directory name: Go strconv.ParseInt(name, 10, 64) (a sign is allowed, SPEC §0 corrections).
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
  StatFields f;
  StrRef comm;
};
}  // namespace

int list_procs(const Root& root, int threads, StatColumns& out, std::string& msg) {
  int rootfd = open(root.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) {
    int e = errno;
    msg = "open " + root.path + ": " + errtext(e);
    return e;
  }
  std::vector<int32_t> pids;
  pids.reserve(4096);
  {
    DirIter it(rootfd);
    int32_t pid;
    while (const char* name = it.next()) {
      if (parse_pid_name(name, pid)) pids.push_back(pid);
    }
    if (it.err()) {
      int e = it.err();
      msg = "open " + root.path + ": " + errtext(e);
      close(rootfd);
      return e;
    }
  }

  const size_t n = pids.size();
  std::vector<Row> rows(n);
  int workers = threads < 1 ? 1 : threads > 64 ? 64 : threads;
  std::vector<ReadBuf> bufs(workers);
  std::vector<Arena> arenas(workers);
  std::vector<uint8_t> owner(n, 0);
  parallel_for(workers, n, 64, [&](int w, size_t begin, size_t end) {
    ReadBuf& buf = bufs[w];
    Arena& arena = arenas[w];
    char path[32];
    for (size_t i = begin; i < end; i++) {
      // The name is re-formatted before use: "007" is read as "7/stat" (SPEC §0 corrections).
      int len = format_int(path, pids[i]);
      memcpy(path + len, "/stat", 6);
      Row& row = rows[i];
      if (read_file_at(rootfd, path, buf, kReadLimit, root.real_procfs) != 0) continue;
      if (!parse_stat(buf.data(), buf.len, row.f)) continue;
      row.ok = true;
      row.comm.off = arena.push(row.f.comm, row.f.comm_len);
      row.comm.len = static_cast<uint32_t>(row.f.comm_len);
      owner[i] = static_cast<uint8_t>(w);
    }
  });
  close(rootfd);

  size_t count = 0, comm_total = 0;
  for (const Row& r : rows) {
    if (r.ok) {
      count++;
      comm_total += r.comm.len;
    }
  }
  out.pid.resize(count);
  out.start_ticks.resize(count);
  out.ppid.resize(count);
  out.state.resize(count);
  out.minflt.resize(count);
  out.majflt.resize(count);
  out.utime.resize(count);
  out.stime.resize(count);
  out.num_threads.resize(count);
  out.vsize.resize(count);
  out.rss.resize(count);
  out.comm_bytes.resize(comm_total);
  out.comm_offsets.resize(count + 1);
  size_t j = 0, off = 0;
  for (size_t i = 0; i < n; i++) {
    const Row& r = rows[i];
    if (!r.ok) continue;
    out.pid[j] = pids[i];
    out.start_ticks[j] = r.f.start_ticks;
    out.ppid[j] = r.f.ppid;
    out.state[j] = r.f.state;
    out.minflt[j] = r.f.minflt;
    out.majflt[j] = r.f.majflt;
    out.utime[j] = r.f.utime;
    out.stime[j] = r.f.stime;
    out.num_threads[j] = r.f.num_threads;
    out.vsize[j] = r.f.vsize;
    out.rss[j] = r.f.rss;
    out.comm_offsets[j] = static_cast<uint32_t>(off);
    if (r.comm.len) memcpy(out.comm_bytes.data() + off, arenas[owner[i]].bytes.data() + r.comm.off, r.comm.len);
    off += r.comm.len;
    j++;
  }
  out.comm_offsets[count] = static_cast<uint32_t>(off);
  return 0;
}

}  // namespace nps
