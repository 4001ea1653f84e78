// The bench's workload helper: forks idle processes (optionally with threads) and short-lived "churn"
// processes on command, and takes them all down with it. Forking from one small C process is far cheaper
// than spawning N programs, and one process group makes cleanup a single kill(-pgid).
//
// Commands on stdin, one per line; every command is answered by one line on stdout:
//   spawn N M T PREFIX   fork N idle children named PREFIX00..PREFIX(M-1) (cycling), each with T threads
//                        -> "ok <idle alive>"
//   churn R LIFE_MS PREFIX [distinct]  from now on fork R children per second that live LIFE_MS and exit
//                        (R=0 stops); with `distinct` each one takes a name of its own, PREFIX<number>,
//                        as one-off programs of a host do -> "ok"
//   count                -> "ok <idle alive> <churn alive> <churn started>"
//   kill                 SIGKILL every child and reap it -> "ok 0"
//   exit                 kill, then exit
// Children die with us (PR_SET_PDEATHSIG) and we die with the bench, so nothing outlives a crash.
//
//   spawner -e PROGRAM ARGS...   exec PROGRAM so that it dies with the bench (the exporters), even on SIGKILL
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t self;
static long idle_alive, churn_alive, churn_started, name_seq;
static double churn_rate;
static long churn_life_ms;
static char churn_prefix[16] = "churn";
static int churn_distinct;
static unsigned long churn_seq;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *thread_main(void *arg) {
  char name[16];
  snprintf(name, sizeof name, "w%ld", (long)(size_t)arg % 4);
  prctl(PR_SET_NAME, name);
  for (;;) pause();
  return NULL;
}

// the child side of a fork: detach from the bench's pipes, take a name, wait
static void child_setup(const char *name) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != self) _exit(0);
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(devnull, 1);
  dup2(devnull, 2);
  if (devnull > 2) close(devnull);
  prctl(PR_SET_NAME, name);
}

static void idle_child(const char *name, int threads) {
  child_setup(name);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  // idle threads need almost no stack: keep 20k threads cheap
  pthread_attr_setstacksize(&attr, 64 * 1024);
  for (int t = 1; t < threads; t++) {
    pthread_t th;
    if (pthread_create(&th, &attr, thread_main, (void *)(size_t)t) != 0) break;
  }
  for (;;) pause();
}

static void churn_child(unsigned long seq) {
  char name[16];
  if (churn_distinct) snprintf(name, sizeof name, "%.8s%lu", churn_prefix, seq % 10000000UL);
  else snprintf(name, sizeof name, "%s", churn_prefix);
  child_setup(name);
  struct timespec ts = {churn_life_ms / 1000, (churn_life_ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  _exit(0);
}

// which reaped pids were churn children, so the idle count stays exact
#define MAXPID (1 << 23)
static unsigned char *is_churn;

static void reap(void) {
  int st;
  pid_t p;
  while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
    if (p < MAXPID && is_churn[p]) {
      is_churn[p] = 0;
      churn_alive--;
    } else {
      idle_alive--;
    }
  }
}

static void kill_all(void) {
  // we are the group leader: everything we forked is in our group; ignore the signal ourselves
  signal(SIGTERM, SIG_IGN);
  kill(0, SIGTERM);
  int st;
  pid_t p;
  while ((p = waitpid(-1, &st, 0)) > 0) {
    if (p < MAXPID && is_churn[p]) {
      is_churn[p] = 0;
      churn_alive--;
    } else {
      idle_alive--;
    }
  }
  signal(SIGTERM, SIG_DFL);
}

static void spawn(long n, long m, int threads, const char *prefix) {
  char name[40];
  for (long i = 0; i < n; i++) {
    snprintf(name, sizeof name, "%.12s%02d", prefix, m > 0 ? (int)(name_seq++ % m) : 0);
    pid_t p = fork();
    if (p == 0) idle_child(name, threads);
    if (p < 0) {
      // out of pids or memory: report what we have rather than loop
      fprintf(stderr, "spawner: fork: %s after %ld\n", strerror(errno), i);
      break;
    }
    idle_alive++;
    if ((i & 1023) == 0) reap();
  }
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "-e") == 0) {
    // the death signal survives execve: the exporter goes when the bench goes
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) return 1;
    execvp(argv[2], argv + 2);
    fprintf(stderr, "spawner: exec %s: %s\n", argv[2], strerror(errno));
    return 127;
  }
  self = getpid();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 1;
  setpgid(0, 0);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NPROC, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NPROC, &rl);
  }
  is_churn = calloc(MAXPID, 1);
  setvbuf(stdout, NULL, _IOLBF, 0);
  char line[512];
  size_t used = 0;
  double next_churn = 0;
  for (;;) {
    int timeout = 200;
    if (churn_rate > 0) {
      double wait = next_churn - now_s();
      timeout = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
    }
    struct pollfd pfd = {0, POLLIN, 0};
    int r = poll(&pfd, 1, timeout);
    reap();
    if (churn_rate > 0) {
      double t = now_s();
      // catch up at most one second of backlog, so a stalled loop does not fork a burst
      if (next_churn < t - 1) next_churn = t - 1;
      while (next_churn <= t) {
        unsigned long seq = churn_seq++;
        pid_t p = fork();
        if (p == 0) churn_child(seq);
        if (p > 0) {
          if (p < MAXPID) is_churn[p] = 1;
          churn_alive++;
          churn_started++;
        }
        next_churn += 1.0 / churn_rate;
      }
    }
    if (r <= 0 || !(pfd.revents & (POLLIN | POLLHUP))) continue;
    ssize_t got = read(0, line + used, sizeof line - 1 - used);
    if (got <= 0) break;
    used += (size_t)got;
    line[used] = 0;
    char *nl;
    while ((nl = strchr(line, '\n')) != NULL) {
      *nl = 0;
      long a = 0, b = 0, c = 0;
      char word[32] = "";
      if (sscanf(line, "spawn %ld %ld %ld %31s", &a, &b, &c, word) == 4) {
        spawn(a, b, (int)c, word);
        printf("ok %ld\n", idle_alive);
      } else if (sscanf(line, "churn %ld %ld %15s", &a, &b, word) == 3) {
        char mode[16] = "";
        long skip_a, skip_b;
        char skip_w[16];
        sscanf(line, "churn %ld %ld %15s %15s", &skip_a, &skip_b, skip_w, mode);
        churn_distinct = strcmp(mode, "distinct") == 0;
        churn_rate = (double)a;
        churn_life_ms = b;
        snprintf(churn_prefix, sizeof churn_prefix, "%s", word);
        next_churn = now_s();
        printf("ok\n");
      } else if (strcmp(line, "count") == 0) {
        printf("ok %ld %ld %ld\n", idle_alive, churn_alive, churn_started);
      } else if (strcmp(line, "kill") == 0) {
        churn_rate = 0;
        kill_all();
        printf("ok %ld\n", idle_alive);
      } else if (strcmp(line, "exit") == 0) {
        goto out;
      } else {
        printf("error unknown command: %s\n", line);
      }
      size_t rest = used - (size_t)(nl + 1 - line);
      memmove(line, nl + 1, rest);
      used = rest;
      line[used] = 0;
    }
  }
out:
  churn_rate = 0;
  kill_all();
  return 0;
}
