// accelerator.cpp — the accelerator registry and the plugin loader.
#include "engine/accelerator.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <vector>

namespace mbz {

namespace {
std::atomic<AcceleratorFactory> g_factory{nullptr};

// Directory of the object that holds this function (libmbz.so, or the program
// when libmbz is linked statically).
std::string own_directory() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&own_directory), &info) && info.dli_fname) {
    std::string p = info.dli_fname;
    if (p.find('/') == std::string::npos) {  // the main program: ask the kernel where it is
      char buf[4096];
      const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
      if (n <= 0) return {};
      p.assign(buf, static_cast<size_t>(n));
    }
    return p.substr(0, p.rfind('/'));
  }
  return {};
}
}  // namespace

void register_accelerator(AcceleratorFactory factory) { g_factory.store(factory); }
AcceleratorFactory registered_accelerator() { return g_factory.load(); }

bool load_accelerator_plugin(std::string* why) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  if (registered_accelerator()) return true;
  const std::string dir = own_directory();
  std::vector<std::string> tries;
  if (!dir.empty()) tries = {dir + "/libmbz-torch.so", dir + "/../lib/libmbz-torch.so"};
  tries.push_back("libmbz-torch.so");
  std::string errors;
  for (const std::string& path : tries) {
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      if (const char* e = dlerror()) errors = e;
      continue;
    }
    // The plugin's entry point returns its factory; the registry is ours.
    using Entry = AcceleratorFactory (*)();
    if (auto entry = reinterpret_cast<Entry>(dlsym(lib, "mbz_accelerator_factory"))) {
      register_accelerator(entry());
      return true;
    }
    errors = path + " has no mbz_accelerator_factory";
  }
  if (why) *why = "the accelerator backend libmbz-torch.so is not installed or does not load (" + errors + ")";
  return false;
}

}  // namespace mbz
