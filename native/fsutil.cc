// File and directory primitives: openat-relative reads into a reusable buffer, raw getdents64.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scan.h"

namespace nps {

void Fd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

int read_file_at(int dirfd, const char* name, ReadBuf& buf, size_t limit, bool short_read_is_eof) {
  buf.len = 0;
  buf.open_failed = false;
  Fd fd(openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.ok()) {
    buf.open_failed = true;
    return errno;
  }
  int err = 0;
  while (buf.len < limit) {
    if (buf.len == buf.mem.size()) {
      size_t grown = buf.mem.size() * 2;
      buf.mem.resize(grown < limit ? grown : limit);
    }
    size_t room = buf.mem.size() - buf.len;
    ssize_t r = read(fd.get(), buf.mem.data() + buf.len, room);
    if (r < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    if (r == 0) break;
    buf.len += static_cast<size_t>(r);
    // Single-record procfs files (stat, status, io, limits, wchan) hand over everything in one read:
    // a short read is the end, which saves the second read() that would return 0.
    if (short_read_is_eof && static_cast<size_t>(r) < room) break;
  }
  return err;
}

int open_dir_at(int dirfd, const char* name) {
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[1];
};

const char* DirIter::next() {
  for (;;) {
    if (off_ < n_) {
      auto* d = reinterpret_cast<LinuxDirent64*>(buf_ + off_);
      off_ += d->d_reclen;
      const char* s = d->d_name;
      if (s[0] == '.' && (s[1] == 0 || (s[1] == '.' && s[2] == 0))) continue;
      return s;
    }
    if (done_) return nullptr;
    long n = syscall(SYS_getdents64, fd_, buf_, sizeof buf_);
    if (n < 0) {
      if (errno == EINTR) continue;
      err_ = errno;
      done_ = true;
      return nullptr;
    }
    if (n == 0) {
      done_ = true;
      return nullptr;
    }
    n_ = n;
    off_ = 0;
  }
}

long count_dir_entries(int fd) {
  DirIter it(fd);
  long count = 0;
  while (it.next()) count++;
  int err = it.err();
  return err ? -err : count;
}

std::string errtext(int e) {
  char tmp[128];
  const char* m = strerror_r(e, tmp, sizeof tmp);
  std::string s = m ? m : "unknown error";
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

int format_int(char* out, long long v) {
  char tmp[24];
  int n = 0;
  bool neg = v < 0;
  unsigned long long u = neg ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  int len = 0;
  if (neg) out[len++] = '-';
  while (n) out[len++] = tmp[--n];
  out[len] = 0;
  return len;
}

static constexpr long kProcSuperMagic = 0x9fa0;

void probe_root(Root& root) {
  struct statfs sfs;
  root.real_procfs = statfs(root.path.c_str(), &sfs) == 0 && static_cast<long>(sfs.f_type) == kProcSuperMagic;
  root.own_procfs = false;
  if (!root.real_procfs) return;
  char resolved[PATH_MAX];
  if (!realpath(root.path.c_str(), resolved) || strcmp(resolved, "/proc") != 0) return;
  // /proc/self resolving to our pid proves this procfs belongs to our pid namespace.
  char self[64];
  ssize_t n = readlink("/proc/self", self, sizeof self - 1);
  if (n <= 0) return;
  self[n] = 0;
  char mine[24];
  format_int(mine, static_cast<long long>(getpid()));
  root.own_procfs = strcmp(self, mine) == 0;
}

}  // namespace nps
