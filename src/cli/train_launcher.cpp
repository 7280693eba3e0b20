// train_launcher.cpp — see train_launcher.hpp.
#include "cli/train_launcher.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace mbz::cli {

int exec_train(const std::vector<std::string>& words) {
  std::vector<std::string> args{"mbz-train"};
  args.insert(args.end(), words.begin(), words.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n > 0) {
    std::string beside(self, static_cast<size_t>(n));
    beside = beside.substr(0, beside.rfind('/') + 1) + "mbz-train";
    execv(beside.c_str(), argv.data());
  }
  execvp("mbz-train", argv.data());
  std::cerr << "mbz train: cannot run mbz-train (" << std::strerror(errno)
            << "); it is built where libtorch is installed and is installed beside mbz\n";
  return 1;
}

}  // namespace mbz::cli
