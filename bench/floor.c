// The floor (docs/performance.md): a bare, single-threaded loop that opens, reads and closes the files the
// exporter's semantics need, per process, without parsing them. Any exporter has to pay at least this
// much kernel time; the bench compares every contender with it.
//
//   floor PROCFS [THREADS]   one pass per "scan" line on stdin, answered by "<pids> <threads> <files> <bytes>"
//
// Per pid: stat, status, io, limits, wchan, smaps_rollup, and a readdir of fd/. With THREADS=1, a process
// whose stat says num_threads > 1 also gets task/ listed and task/<tid>/{stat,status,io,wchan} read (the
// only parsing: that one field, which the exporter needs anyway to skip task/ for single-threaded ones).
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <signal.h>
#include <unistd.h>

static char buf[1 << 16];
static unsigned long long n_files, n_bytes;

// returns the length of the first read (what a small file holds), or -1; the rest is read and dropped
static long slurp(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long total = 0, kept = 0;
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0) break;
    if (kept == 0) kept = r;
    total += r;
  }
  close(fd);
  n_files++;
  n_bytes += (unsigned long long)total;
  return kept;
}

static int is_pid(const char *s) {
  if (*s < '0' || *s > '9') return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return 0;
  return 1;
}

// num_threads is field 20 of stat: the 18th field after the last ')'
static long num_threads(long len) {
  char *p = memrchr(buf, ')', (size_t)len);
  if (p == NULL) return 1;
  int field = 2;
  for (char *end = buf + len; p < end; p++) {
    if (*p == ' ' && ++field == 20) return strtol(p + 1, NULL, 10);
  }
  return 1;
}

static unsigned long long count_dir(const char *path) {
  DIR *d = opendir(path);
  if (d == NULL) return 0;
  unsigned long long n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) n++;
  closedir(d);
  return n;
}

static void pass(const char *procfs, int threads) {
  static const char *files[] = {"status", "io", "limits", "wchan", "smaps_rollup"};
  static const char *tfiles[] = {"stat", "status", "io", "wchan"};
  char path[4096];
  unsigned long long pids = 0, tids = 0;
  n_files = n_bytes = 0;
  DIR *d = opendir(procfs);
  if (d == NULL) {
    printf("error opendir %s\n", procfs);
    fflush(stdout);
    return;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!is_pid(e->d_name)) continue;
    pids++;
    snprintf(path, sizeof path, "%s/%s/stat", procfs, e->d_name);
    long statlen = slurp(path);
    if (statlen < 0) continue;
    long nt = threads ? num_threads(statlen) : 1;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
      snprintf(path, sizeof path, "%s/%s/%s", procfs, e->d_name, files[i]);
      slurp(path);
    }
    snprintf(path, sizeof path, "%s/%s/fd", procfs, e->d_name);
    count_dir(path);
    if (nt > 1) {
      snprintf(path, sizeof path, "%s/%s/task", procfs, e->d_name);
      DIR *t = opendir(path);
      if (t == NULL) continue;
      struct dirent *te;
      while ((te = readdir(t)) != NULL) {
        if (!is_pid(te->d_name)) continue;
        tids++;
        for (size_t i = 0; i < sizeof tfiles / sizeof tfiles[0]; i++) {
          snprintf(path, sizeof path, "%s/%s/task/%s/%s", procfs, e->d_name, te->d_name, tfiles[i]);
          slurp(path);
        }
      }
      closedir(t);
    }
  }
  closedir(d);
  printf("%llu %llu %llu %llu\n", pids, tids, n_files, n_bytes);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: floor PROCFS [THREADS]\n");
    return 2;
  }
  // never outlive the bench that drives us
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int threads = argc > 2 && atoi(argv[2]) != 0;
  char line[256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    if (strncmp(line, "scan", 4) == 0) pass(argv[1], threads);
    else if (strncmp(line, "exit", 4) == 0) break;
  }
  return 0;
}
