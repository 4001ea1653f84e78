// The addon's entry: createScanner(procfs, threads) -> { bootTime, listProcs, readDetails, close }.
// Every read runs on the libuv pool (AsyncWorker) and settles a Promise; nothing throws across the
// boundary: bad arguments and failed listings reject, per-process errors are flags in a column.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <napi.h>
#include <string>

#include "scan.h"

namespace {

using nps::Root;

using nps::errtext;

int default_threads() {
  cpu_set_t set;
  int cores = 1;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cores = CPU_COUNT(&set);
  else cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  if (cores < 1) cores = 1;
  // More than 4 threads buys little: the kernel's per-file work is the bottleneck (PERF.md).
  return cores > 4 ? 4 : cores;
}

template <class Arr, class T>
Arr to_js(Napi::Env env, const std::vector<T>& v) {
  Arr a = Arr::New(env, v.size());
  if (!v.empty()) memcpy(a.Data(), v.data(), v.size() * sizeof(T));
  return a;
}

Napi::Object packed_to_js(Napi::Env env, const std::vector<uint8_t>& bytes, const std::vector<uint32_t>& offsets) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("bytes", to_js<Napi::Uint8Array>(env, bytes));
  o.Set("offsets", to_js<Napi::Uint32Array>(env, offsets));
  return o;
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
  explicit Job(Napi::Env env, std::shared_ptr<const Root> root, int threads)
      : Napi::AsyncWorker(env, "namedprocess_scanner"), deferred_(Napi::Promise::Deferred::New(env)),
        root_(std::move(root)), threads_(threads) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Fail(Napi::Env env, const std::string& msg, int err) {
    Napi::Error e = Napi::Error::New(env, msg);
    if (err) e.Set("errno", Napi::Number::New(env, err));
    deferred_.Reject(e.Value());
  }
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<const Root> root_;
  int threads_;
  int err_ = 0;
  std::string msg_;
};

class BootTimeJob : public Job {
 public:
  using Job::Job;
  void Execute() override {
    struct stat st;
    const std::string& p = root_->path;
    if (stat(p.c_str(), &st) != 0) {
      err_ = errno;
      msg_ = "could not read \"" + p + "\": stat " + p + ": " + errtext(err_);
      return;
    }
    if (!S_ISDIR(st.st_mode)) {
      err_ = ENOTDIR;
      msg_ = "mount point \"" + p + "\" is not a directory";
      return;
    }
    nps::ReadBuf buf;
    int dirfd = open(p.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    int e = dirfd < 0 ? errno : nps::read_file_at(dirfd, "stat", buf, nps::kNoLimit);
    if (dirfd >= 0) close(dirfd);
    if (e != 0) {
      err_ = e;
      msg_ = "open " + p + "/stat: " + errtext(e);
      return;
    }
    if (nps::parse_btime(buf.data(), buf.len, btime_, msg_) != 0) err_ = EINVAL;
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (err_) return Fail(env, msg_, err_);
    deferred_.Resolve(Napi::Number::New(env, btime_));
  }

 private:
  double btime_ = 0;
};

class ListJob : public Job {
 public:
  using Job::Job;
  void Execute() override { err_ = nps::list_procs(*root_, threads_, cols_, msg_); }
  void OnOK() override {
    Napi::Env env = Env();
    if (err_) return Fail(env, msg_, err_);
    Napi::Object o = Napi::Object::New(env);
    o.Set("count", Napi::Number::New(env, static_cast<double>(cols_.pid.size())));
    o.Set("pid", to_js<Napi::Int32Array>(env, cols_.pid));
    o.Set("startTicks", to_js<Napi::Float64Array>(env, cols_.start_ticks));
    o.Set("ppid", to_js<Napi::Int32Array>(env, cols_.ppid));
    o.Set("state", to_js<Napi::Uint8Array>(env, cols_.state));
    o.Set("minflt", to_js<Napi::Float64Array>(env, cols_.minflt));
    o.Set("majflt", to_js<Napi::Float64Array>(env, cols_.majflt));
    o.Set("utime", to_js<Napi::Float64Array>(env, cols_.utime));
    o.Set("stime", to_js<Napi::Float64Array>(env, cols_.stime));
    o.Set("numThreads", to_js<Napi::Int32Array>(env, cols_.num_threads));
    o.Set("vsize", to_js<Napi::Float64Array>(env, cols_.vsize));
    o.Set("rss", to_js<Napi::Float64Array>(env, cols_.rss));
    o.Set("comm", packed_to_js(env, cols_.comm_bytes, cols_.comm_offsets));
    deferred_.Resolve(o);
  }

 private:
  nps::StatColumns cols_;
};

class DetailsJob : public Job {
 public:
  DetailsJob(Napi::Env env, std::shared_ptr<const Root> root, int threads, nps::DetailRequest req)
      : Job(env, std::move(root), threads), req_(std::move(req)) {}
  void Execute() override { err_ = nps::read_details(*root_, threads_, req_, cols_, msg_); }
  void OnOK() override {
    Napi::Env env = Env();
    if (err_) return Fail(env, msg_, err_);
    const nps::DetailColumns& c = cols_;
    Napi::Object o = Napi::Object::New(env);
    o.Set("count", Napi::Number::New(env, static_cast<double>(c.flags.size())));
    o.Set("flags", to_js<Napi::Uint16Array>(env, c.flags));
    o.Set("uid", to_js<Napi::Int32Array>(env, c.uid));
    o.Set("ctxVol", to_js<Napi::Float64Array>(env, c.ctx_vol));
    o.Set("ctxNonvol", to_js<Napi::Float64Array>(env, c.ctx_nonvol));
    o.Set("swapBytes", to_js<Napi::Float64Array>(env, c.swap_bytes));
    o.Set("fdLimit", to_js<Napi::Float64Array>(env, c.fd_limit));
    o.Set("readBytes", to_js<Napi::Float64Array>(env, c.read_bytes));
    o.Set("writeBytes", to_js<Napi::Float64Array>(env, c.write_bytes));
    o.Set("fdOpen", to_js<Napi::Float64Array>(env, c.fd_open));
    o.Set("pss", to_js<Napi::Float64Array>(env, c.pss));
    o.Set("swapPss", to_js<Napi::Float64Array>(env, c.swap_pss));
    o.Set("wchan", packed_to_js(env, c.wchan.bytes, c.wchan.offsets));
    o.Set("cmdline", packed_to_js(env, c.cmdline.bytes, c.cmdline.offsets));
    o.Set("cgroup", packed_to_js(env, c.cgroup.bytes, c.cgroup.offsets));
    o.Set("threadStart", to_js<Napi::Uint32Array>(env, c.thread_start));
    const nps::ThreadColumns& t = c.threads;
    Napi::Object th = Napi::Object::New(env);
    th.Set("count", Napi::Number::New(env, static_cast<double>(t.tid.size())));
    th.Set("tid", to_js<Napi::Int32Array>(env, t.tid));
    th.Set("startTicks", to_js<Napi::Float64Array>(env, t.start_ticks));
    th.Set("comm", packed_to_js(env, t.comm.bytes, t.comm.offsets));
    th.Set("state", to_js<Napi::Uint8Array>(env, t.state));
    th.Set("minflt", to_js<Napi::Float64Array>(env, t.minflt));
    th.Set("majflt", to_js<Napi::Float64Array>(env, t.majflt));
    th.Set("utime", to_js<Napi::Float64Array>(env, t.utime));
    th.Set("stime", to_js<Napi::Float64Array>(env, t.stime));
    th.Set("ctxVol", to_js<Napi::Float64Array>(env, t.ctx_vol));
    th.Set("ctxNonvol", to_js<Napi::Float64Array>(env, t.ctx_nonvol));
    th.Set("readBytes", to_js<Napi::Float64Array>(env, t.read_bytes));
    th.Set("writeBytes", to_js<Napi::Float64Array>(env, t.write_bytes));
    th.Set("wchan", packed_to_js(env, t.wchan.bytes, t.wchan.offsets));
    o.Set("threads", th);
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
                           InstanceMethod<&Scanner::BootTime>("bootTime"),
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
  Napi::Value BootTime(const Napi::CallbackInfo& info) {
    if (closed_) return reject(info.Env(), "scanner is closed", "ERR_SCANNER_CLOSED");
    auto* job = new BootTimeJob(info.Env(), root_, threads_);
    Napi::Promise p = job->Promise();
    job->Queue();
    return p;
  }

  Napi::Value ListProcs(const Napi::CallbackInfo& info) {
    if (closed_) return reject(info.Env(), "scanner is closed", "ERR_SCANNER_CLOSED");
    auto* job = new ListJob(info.Env(), root_, threads_);
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
    // Rows missing from the flag arrays mean "no".
    req.want_threads.resize(req.pids.size(), 0);
    req.want_static.resize(req.pids.size(), 0);
    req.gather_smaps = o.Get("gatherSmaps").ToBoolean().Value();
    req.thread_io = o.Get("threadIo").ToBoolean().Value();
    if (env.IsExceptionPending()) {
      Napi::Error e = env.GetAndClearPendingException();
      return reject(env, "readDetails: " + e.Message(), "ERR_INVALID_ARG");
    }
    auto* job = new DetailsJob(env, root_, threads_, std::move(req));
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
