// parallel_for: split a row range across a few threads with a shared chunk counter.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <type_traits>

namespace nps {

template <class F>
struct ParallelJob {
  std::atomic<size_t> next{0};
  size_t n = 0, chunk = 1;
  F* fn = nullptr;
  void drain(int worker) {
    for (;;) {
      size_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
      if (begin >= n) break;
      size_t end = begin + chunk < n ? begin + chunk : n;
      (*fn)(worker, begin, end);
    }
  }
  struct Arg {
    ParallelJob* job;
    int worker;
  };
  static void* entry(void* a) {
    Arg* arg = static_cast<Arg*>(a);
    arg->job->drain(arg->worker);
    return nullptr;
  }
};

// Calls fn(worker, begin, end) over [0, n) in chunks taken from a shared counter, on up to `threads`
// threads (the calling thread is worker 0). Dynamic chunks keep one huge process from stalling a
// thread's share. pthread_create failing (thread limits on a crowded host) just means fewer workers,
// where std::thread would abort without exceptions. Returns the number of workers used.
template <class F>
int parallel_for(int threads, size_t n, size_t chunk, F&& fn) {
  constexpr int kMax = 64;
  if (threads < 1) threads = 1;
  if (threads > kMax) threads = kMax;
  // Starting a thread costs tens of microseconds; not worth it for a handful of rows.
  size_t useful = chunk > 0 ? (n + chunk - 1) / chunk : 1;
  if (useful < 1) useful = 1;
  if (static_cast<size_t>(threads) > useful) threads = static_cast<int>(useful);

  using Fn = typename std::remove_reference<F>::type;
  ParallelJob<Fn> job;
  job.n = n;
  job.chunk = chunk > 0 ? chunk : 1;
  job.fn = &fn;
  pthread_t ids[kMax];
  typename ParallelJob<Fn>::Arg args[kMax];
  int started = 0;
  for (int w = 1; w < threads; w++) {
    args[started] = {&job, w};
    if (pthread_create(&ids[started], nullptr, &ParallelJob<Fn>::entry, &args[started]) != 0) break;
    started++;
  }
  job.drain(0);
  for (int i = 0; i < started; i++) pthread_join(ids[i], nullptr);
  return started + 1;
}

}  // namespace nps
