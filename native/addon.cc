// The addon's entry: createScanner(procfs, threads) -> { listProcs, readDetails, close, info }.
// Every read runs on the libuv pool (AsyncWorker) and settles a Promise; nothing throws across the
// boundary: bad arguments and failed listings reject, per-process errors are flags in a column.
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <limits>
#include <memory>
#include <napi.h>
#include <string>

#include "scan.h"

namespace {

using nps::Root;

int default_threads() {
  cpu_set_t set;
  int cores = 1;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cores = CPU_COUNT(&set);
  else cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  if (cores < 1) cores = 1;
  // More than 4 threads buys little: the kernel's per-file work is the bottleneck (docs/performance.md).
  return cores > 4 ? 4 : cores;
}

// Where the columns' memory comes from: the caller's take(bytes) -> ArrayBuffer when it gave one (a pool
// of the buffers of columns it has finished with, so a cycle does not leave a new set of dead buffers
// for the garbage collector), else new buffers.
class ColumnMemory {
 public:
  ColumnMemory() = default;
  explicit ColumnMemory(Napi::Function take) : take_(Napi::Persistent(take)) {}

  Napi::ArrayBuffer take(Napi::Env env, size_t bytes) {
    if (!take_.IsEmpty()) {
      Napi::Value v = take_.Call({Napi::Number::New(env, static_cast<double>(bytes))});
      if (env.IsExceptionPending()) env.GetAndClearPendingException();
      else if (v.IsArrayBuffer() && v.As<Napi::ArrayBuffer>().ByteLength() >= bytes) return v.As<Napi::ArrayBuffer>();
    }
    return Napi::ArrayBuffer::New(env, bytes);
  }

 private:
  Napi::FunctionReference take_;
};

template <class T>
Napi::TypedArrayOf<T> to_js(Napi::Env env, const std::vector<T>& v, ColumnMemory& mem) {
  if (v.empty()) return Napi::TypedArrayOf<T>::New(env, 0);
  const size_t bytes = v.size() * sizeof(T);
  Napi::ArrayBuffer buf = mem.take(env, bytes);
  auto a = Napi::TypedArrayOf<T>::New(env, v.size(), buf, 0);
  memcpy(a.Data(), v.data(), bytes);
  return a;
}

// A column set as a JS object: count, then every column under its JS name (the lists in scan.h).
template <class Columns>
Napi::Object columns_to_js(Napi::Env env, const Columns& c, ColumnMemory& mem) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("count", Napi::Number::New(env, static_cast<double>(c.count)));
  c.each([&](const char* name, const auto& column) { o.Set(name, to_js(env, column, mem)); },
         [&](const char* name, const nps::Packed& p) {
           Napi::Object s = Napi::Object::New(env);
           s.Set("bytes", to_js(env, p.bytes, mem));
           s.Set("offsets", to_js(env, p.offsets, mem));
           o.Set(name, s);
         });
  return o;
}

// The optional take(bytes) argument of listProcs / readDetails.
ColumnMemory column_memory(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() > i && info[i].IsFunction()) return ColumnMemory(info[i].As<Napi::Function>());
  return ColumnMemory();
}

Napi::Value reject(Napi::Env env, const std::string& msg, const char* code = nullptr) {
  auto d = Napi::Promise::Deferred::New(env);
  Napi::Error err = Napi::Error::New(env, msg);
  if (code) err.Set("code", Napi::String::New(env, code));
  d.Reject(err.Value());
  return d.Promise();
}

class Job : public Napi::AsyncWorker {
 public:
  Job(Napi::Env env, std::shared_ptr<const Root> root, int threads, ColumnMemory mem)
      : Napi::AsyncWorker(env, "namedprocess_scanner"), deferred_(Napi::Promise::Deferred::New(env)),
        root_(std::move(root)), threads_(threads), mem_(std::move(mem)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  // Runs after the derived job's columns are freed: hands the scan's buffers back to the system rather
  // than keeping them in the malloc arenas until the next scan (the JS side holds its own copies).
  ~Job() override {
#ifdef M_ARENA_MAX
    malloc_trim(0);
#endif
  }

 protected:
  void Fail(Napi::Env env, const std::string& msg, int err) {
    Napi::Error e = Napi::Error::New(env, msg);
    if (err) e.Set("errno", Napi::Number::New(env, err));
    deferred_.Reject(e.Value());
  }
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<const Root> root_;
  int threads_;
  ColumnMemory mem_;
  int err_ = 0;
  std::string msg_;
};

class ListJob : public Job {
 public:
  using Job::Job;
  void Execute() override { err_ = nps::list_procs(*root_, threads_, cols_, msg_); }
  void OnOK() override {
    Napi::Env env = Env();
    if (err_) return Fail(env, msg_, err_);
    Napi::Object o = columns_to_js(env, cols_, mem_);
    deferred_.Resolve(o);
  }

 private:
  nps::StatColumns cols_;
};

class DetailsJob : public Job {
 public:
  DetailsJob(Napi::Env env, std::shared_ptr<const Root> root, int threads, ColumnMemory mem, nps::DetailRequest req)
      : Job(env, std::move(root), threads, std::move(mem)), req_(std::move(req)) {}
  void Execute() override { err_ = nps::read_details(*root_, threads_, req_, cols_, msg_); }
  void OnOK() override {
    Napi::Env env = Env();
    if (err_) return Fail(env, msg_, err_);
    Napi::Object o = columns_to_js(env, cols_, mem_);
    o.Set("threadStart", to_js(env, cols_.thread_start, mem_));
    o.Set("threads", columns_to_js(env, cols_.threads, mem_));
    deferred_.Resolve(o);
  }

 private:
  nps::DetailRequest req_;
  nps::DetailColumns cols_;
};

// Copies a typed array argument of the expected element type; false when it is something else.
template <class T>
bool copy_typed(Napi::Value v, napi_typedarray_type type, std::vector<T>& out) {
  if (!v.IsTypedArray()) return false;
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != type) return false;
  size_t n = ta.ElementLength();
  out.resize(n);
  if (n) {
    Napi::ArrayBuffer ab = ta.ArrayBuffer();
    memcpy(out.data(), static_cast<uint8_t*>(ab.Data()) + ta.ByteOffset(), n * sizeof(T));
  }
  return true;
}

class Scanner : public Napi::ObjectWrap<Scanner> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeScanner",
                       {
                           InstanceMethod<&Scanner::ListProcs>("listProcs"),
                           InstanceMethod<&Scanner::ReadDetails>("readDetails"),
                           InstanceMethod<&Scanner::Close>("close"),
                           InstanceMethod<&Scanner::Info>("info"),
                       });
  }

  explicit Scanner(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Scanner>(info) {
    auto root = std::make_shared<Root>();
    if (info.Length() > 0 && info[0].IsString()) root->path = info[0].As<Napi::String>().Utf8Value();
    if (root->path.empty()) root->path = "/proc";
    nps::probe_root(*root);
    root_ = root;
    threads_ = 0;
    if (info.Length() > 1 && info[1].IsNumber()) threads_ = info[1].As<Napi::Number>().Int32Value();
    if (threads_ <= 0) threads_ = default_threads();
    if (threads_ > 64) threads_ = 64;
  }

 private:
  Napi::Value ListProcs(const Napi::CallbackInfo& info) {
    if (closed_) return reject(info.Env(), "scanner is closed", "ERR_SCANNER_CLOSED");
    auto* job = new ListJob(info.Env(), root_, threads_, column_memory(info, 0));
    Napi::Promise p = job->Promise();
    job->Queue();
    return p;
  }

  Napi::Value ReadDetails(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (closed_) return reject(env, "scanner is closed", "ERR_SCANNER_CLOSED");
    if (info.Length() < 1 || !info[0].IsObject()) return reject(env, "readDetails: expected a request object", "ERR_INVALID_ARG");
    Napi::Object o = info[0].As<Napi::Object>();
    nps::DetailRequest req;
    if (!copy_typed(o.Get("pids"), napi_int32_array, req.pids))
      return reject(env, "readDetails: pids must be an Int32Array", "ERR_INVALID_ARG");
    if (!copy_typed(o.Get("wantThreads"), napi_uint8_array, req.want_threads))
      return reject(env, "readDetails: wantThreads must be a Uint8Array", "ERR_INVALID_ARG");
    if (!copy_typed(o.Get("wantStatic"), napi_uint8_array, req.want_static))
      return reject(env, "readDetails: wantStatic must be a Uint8Array", "ERR_INVALID_ARG");
    Napi::Value readSmaps = o.Get("readSmaps");
    if (!readSmaps.IsUndefined() && !copy_typed(readSmaps, napi_uint8_array, req.read_smaps))
      return reject(env, "readDetails: readSmaps must be a Uint8Array", "ERR_INVALID_ARG");
    Napi::Value sched = o.Get("sched");
    if (!sched.IsUndefined() && !copy_typed(sched, napi_uint8_array, req.sched))
      return reject(env, "readDetails: sched must be a Uint8Array", "ERR_INVALID_ARG");
    Napi::Value schedPrev = o.Get("schedPrev");
    if (!schedPrev.IsUndefined() && !copy_typed(schedPrev, napi_float64_array, req.sched_prev))
      return reject(env, "readDetails: schedPrev must be a Float64Array", "ERR_INVALID_ARG");
    Napi::Value threadHold = o.Get("threadHold");
    if (!threadHold.IsUndefined()) {
      if (!copy_typed(threadHold, napi_uint8_array, req.thread_hold))
        return reject(env, "readDetails: threadHold must be a Uint8Array", "ERR_INVALID_ARG");
      if (!copy_typed(o.Get("knownStart"), napi_uint32_array, req.known_start) ||
          !copy_typed(o.Get("knownTid"), napi_int32_array, req.known_tid) ||
          !copy_typed(o.Get("knownSched"), napi_float64_array, req.known_sched) ||
          !copy_typed(o.Get("knownState"), napi_uint8_array, req.known_state))
        return reject(env, "readDetails: threadHold needs knownStart (Uint32Array), knownTid (Int32Array), knownSched (Float64Array) and knownState (Uint8Array)", "ERR_INVALID_ARG");
      // the known threads of every row must lie inside the arrays, in order
      const size_t nk = req.known_tid.size();
      bool ok = req.known_start.size() == req.pids.size() + 1 && req.known_sched.size() == 2 * nk && req.known_state.size() == nk;
      for (size_t k = 0; ok && k + 1 < req.known_start.size(); k++) ok = req.known_start[k] <= req.known_start[k + 1];
      if (ok && !req.known_start.empty()) ok = req.known_start.back() <= nk;
      if (!ok) return reject(env, "readDetails: knownStart, knownTid, knownSched and knownState do not fit the request", "ERR_INVALID_ARG");
      req.thread_hold.resize(req.pids.size(), 0);
    }
    // Rows missing from the flag arrays mean "no"; a missing previous schedstat never equals.
    if (!sched.IsUndefined()) req.sched.resize(req.pids.size(), 0);
    req.sched_prev.resize(req.sched.size() * 2, std::numeric_limits<double>::quiet_NaN());
    req.want_threads.resize(req.pids.size(), 0);
    req.want_static.resize(req.pids.size(), 0);
    if (!readSmaps.IsUndefined()) req.read_smaps.resize(req.pids.size(), 0);
    req.gather_smaps = o.Get("gatherSmaps").ToBoolean().Value();
    req.thread_io = o.Get("threadIo").ToBoolean().Value();
    if (env.IsExceptionPending()) {
      Napi::Error e = env.GetAndClearPendingException();
      return reject(env, "readDetails: " + e.Message(), "ERR_INVALID_ARG");
    }
    auto* job = new DetailsJob(env, root_, threads_, column_memory(info, 1), std::move(req));
    Napi::Promise p = job->Promise();
    job->Queue();
    return p;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    closed_ = true;
    return info.Env().Undefined();
  }

  // What the scanner decided about its root: for the start-up log and tests.
  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("procfs", Napi::String::New(env, root_->path));
    o.Set("threads", Napi::Number::New(env, threads_));
    o.Set("realProcfs", Napi::Boolean::New(env, root_->real_procfs));
    o.Set("ownProcfs", Napi::Boolean::New(env, root_->own_procfs));
    return o;
  }

  std::shared_ptr<const Root> root_;
  int threads_ = 1;
  bool closed_ = false;
};

struct AddonData {
  Napi::FunctionReference ctor;
};

Napi::Value CreateScanner(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData* data = env.GetInstanceData<AddonData>();
  Napi::Value procfs = info.Length() > 0 ? info[0] : env.Undefined();
  Napi::Value threads = info.Length() > 1 ? info[1] : env.Undefined();
  return data->ctor.New({procfs, threads});
}

// exitNow(code): ends the process at once with that exit code, joining no thread. The way out at
// shutdown when a /proc read is stuck in the kernel: Node's own exit joins the thread pool and the
// worker threads, and would wait for that read forever.
Napi::Value ExitNow(const Napi::CallbackInfo& info) {
  int code = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  _exit(code);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
#ifdef M_ARENA_MAX
  // glibc gives every new thread its own malloc arena and keeps what a scan freed there: with the scan
  // threads started per job, that kept about 14 MB of RSS at 10,000 processes. One arena is enough for
  // scan threads that allocate only while growing their row buffers.
  mallopt(M_ARENA_MAX, 1);
#endif
  auto* data = new AddonData();
  data->ctor = Napi::Persistent(Scanner::Define(env));
  env.SetInstanceData<AddonData>(data);
  exports.Set("createScanner", Napi::Function::New(env, CreateScanner, "createScanner"));
  exports.Set("defaultThreads", Napi::Number::New(env, default_threads()));
  exports.Set("exitNow", Napi::Function::New(env, ExitNow, "exitNow"));
  return exports;
}

}  // namespace

NODE_API_MODULE(namedprocess_scanner, Init)
