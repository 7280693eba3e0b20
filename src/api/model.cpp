// Model loading and the model search path.
#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>

#include "api/model_impl.hpp"
#include "engine/kernels/gemm_s8.hpp"
#include "common/hashes.hpp"

namespace fs = std::filesystem;

namespace mbz {

const char* version_string() noexcept { return MBZ_VERSION_STRING; }
const char* cpu_kernel() noexcept { return kernels::isa_name(kernels::default_isa()); }
const char* default_model_name() noexcept { return "text-small-v6"; }

std::string default_model_name_for(const std::string& modality) {
  if (modality == "text") return default_model_name();
  if (modality == "audio") return "audio-small-v1";
  if (modality == "image") return "image-small-v1";
  return "";
}

std::function<std::shared_ptr<const Model>(const std::string&)> default_modality_models() {
  struct Cache {
    std::mutex lock;
    std::map<std::string, std::shared_ptr<const Model>> loaded;
  };
  auto cache = std::make_shared<Cache>();
  return [cache](const std::string& modality) -> std::shared_ptr<const Model> {
    std::lock_guard<std::mutex> hold(cache->lock);
    if (auto it = cache->loaded.find(modality); it != cache->loaded.end()) return it->second;
    std::shared_ptr<const Model> m;
    const std::string name = default_model_name_for(modality);
    try {
      if (!name.empty()) m = find_model(name, "");
    } catch (const Error& e) {
      if (e.code() != ErrorCode::unknown_model) throw;  // a damaged installed model is an error, a missing one is not
    }
    return cache->loaded[modality] = m;
  };
}

const Engine& Model::Impl::engine(const std::string& device) const {
  if (!file) throw Error(ErrorCode::internal, "the model 'none' has no engine");
  const DeviceKind kind = parse_device(device);
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = engines_[kind];
  if (!slot) slot = std::make_unique<Engine>(file, kind, 0);
  return *slot;
}

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

std::shared_ptr<const Model> Model::load(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->file = ModelFile::load(path);
  impl->path = path;
  return std::make_shared<const Model>(std::move(impl));
}

std::shared_ptr<const Model> Model::none() {
  static const std::shared_ptr<const Model> m = std::make_shared<const Model>(std::make_unique<Impl>());
  return m;
}

bool Model::is_none() const { return !impl_->file; }

const std::string& Model::name() const {
  static const std::string none_name = kNoModelName;
  return impl_->file ? impl_->file->name() : none_name;
}
std::string Model::sha256_hex() const { return to_hex(impl_->file ? impl_->file->sha256() : Sha256{}); }
const std::string& Model::path() const { return impl_->path; }
uint64_t Model::file_size() const { return impl_->file ? impl_->file->file_size() : 0; }

uint64_t Model::parameter_count() const {
  if (!impl_->file) return 0;
  uint64_t n = 0;
  for (const auto& spec : expected_tensors(impl_->file->config()))
    if (spec.kind == TensorKind::weight || spec.kind == TensorKind::embedding)
      n += static_cast<uint64_t>(impl_->file->tensor(spec.name).numel());
  return n;
}

namespace {
// <dir>/../share/mbz/models for the directory of this library (libmbz.so)
// and of the running program: an installed tree finds its models wherever
// it was installed or moved to.
void add_relocated_dirs(std::vector<std::string>& dirs) {
  std::vector<fs::path> bases;
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&model_search_path), &info) && info.dli_fname && info.dli_fname[0] == '/')
    bases.push_back(fs::path(info.dli_fname).parent_path());
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) bases.push_back(exe.parent_path());
  for (const auto& b : bases) {
    const std::string d = (b.parent_path() / "share" / "mbz" / "models").string();
    if (fs::is_directory(d, ec) && std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
  }
}
}  // namespace

std::vector<std::string> model_search_path() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("MBZ_MODEL_PATH")) {
    std::stringstream ss(env);
    std::string d;
    while (std::getline(ss, d, ':'))
      if (!d.empty()) dirs.push_back(d);
  }
  add_relocated_dirs(dirs);
  dirs.push_back(MBZ_INSTALL_MODELS_DIR);
  dirs.push_back(MBZ_SOURCE_MODELS_DIR);
  return dirs;
}

namespace {
// SHA-256 of a model file's bytes ("" if unreadable), remembered per path,
// size and modification time: a frame naming a model not found by name is
// looked up by content, and parsing (or even hashing) every model on the
// search path again for each such frame made a stream of them crawl.
std::string file_sha256_hex(const fs::path& p) {
  // The file's identity: a copy that keeps the mtime (cp -p, tar) or a
  // rename over it changes the inode or the ctime, which no one can set back.
  struct Stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    timespec mtime, ctime;
    bool operator==(const Stamp& o) const {
      return dev == o.dev && ino == o.ino && size == o.size && mtime.tv_sec == o.mtime.tv_sec &&
             mtime.tv_nsec == o.mtime.tv_nsec && ctime.tv_sec == o.ctime.tv_sec && ctime.tv_nsec == o.ctime.tv_nsec;
    }
  };
  static std::mutex mu;
  static std::map<std::string, std::pair<Stamp, std::string>> known;
  std::error_code ec;
  const std::string key = fs::absolute(p, ec).string();
  struct stat st;
  if (ec || ::stat(key.c_str(), &st) != 0) return "";
  const Stamp stamp{st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = known.find(key);
    if (it != known.end() && it->second.first == stamp) return it->second.second;
  }
  std::string sha;
  try {
    const ModelImage image = ModelFile::read_image(p.string());
    sha = to_hex(sha256(image.data(), image.size()));
  } catch (const Error&) {
    return "";
  }
  std::lock_guard<std::mutex> lock(mu);
  known[key] = {stamp, sha};
  return sha;
}
}  // namespace

std::shared_ptr<const Model> find_model(const std::string& name, const std::string& sha256_hex) {
  const auto dirs = model_search_path();
  std::string mismatch;
  auto try_file = [&](const fs::path& p, bool skip_bad) -> std::shared_ptr<const Model> {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return nullptr;
    std::shared_ptr<const Model> m;
    try {
      m = Model::load(p.string());
    } catch (const Error&) {
      if (skip_bad) return nullptr;  // an unrelated broken file must not hide the right one
      throw;
    }
    if (sha256_hex.empty() || m->sha256_hex() == sha256_hex) return m;
    mismatch = p.string();
    return nullptr;
  };
  // Only model names that cannot escape the search directories are looked up by name.
  const bool plain_name = !name.empty() && name.find('/') == std::string::npos && name != "." && name != "..";
  if (plain_name)
    for (const auto& d : dirs)
      if (auto m = try_file(fs::path(d) / (name + ".mbzm"), false)) return m;
  if (!sha256_hex.empty())  // renamed copies are found by content
    for (const auto& d : dirs) {
      std::error_code ec;
      for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".mbzm" && file_sha256_hex(it->path()) == sha256_hex)
          if (auto m = try_file(it->path(), true)) return m;
    }
  std::string msg = "unknown model '" + name + "'";
  if (!sha256_hex.empty()) msg += " (sha256 " + sha256_hex + ")";
  msg += mismatch.empty() ? ": not found" : ": " + mismatch + " has a different SHA-256";
  msg += " in the model search path (";
  for (size_t i = 0; i < dirs.size(); ++i) msg += (i ? ":" : "") + dirs[i];
  msg += "); pass it with -m FILE or set MBZ_MODEL_PATH";
  throw Error(ErrorCode::unknown_model, msg);
}

std::shared_ptr<const Model> Model::load_default() { return find_model(default_model_name(), ""); }

ModelResolver default_model_resolver() {
  return [](const std::string& name, const std::string& sha) { return find_model(name, sha); };
}

}  // namespace mbz
