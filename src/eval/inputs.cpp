// File list expansion and sharding for `mbz eval` (inputs.hpp).
#include "eval/inputs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "mbz/error.hpp"

namespace mbz::eval {

namespace fs = std::filesystem;

namespace {

void add_path(const std::string& p, std::set<std::string>& out, std::vector<std::string>& problems) {
  std::error_code ec;
  const fs::file_status st = fs::status(p, ec);
  if (ec || !fs::exists(st)) {
    problems.push_back(p + ": no such file or directory");
    return;
  }
  if (!fs::is_directory(st)) {
    out.insert(p);
    return;
  }
  fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) {
    problems.push_back(p + ": cannot list directory (" + ec.message() + ")");
    return;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      problems.push_back(p + ": " + ec.message());
      break;
    }
    std::error_code fec;
    if (it->is_regular_file(fec)) out.insert(it->path().string());
  }
}

}  // namespace

std::vector<std::string> expand_inputs(const std::vector<std::string>& args, std::vector<std::string>& problems) {
  std::set<std::string> files;
  for (const std::string& a : args) {
    if (a.size() > 1 && a[0] == '@') {
      std::ifstream list(a.substr(1));
      if (!list) {
        problems.push_back(a.substr(1) + ": cannot read the list");
        continue;
      }
      for (std::string line; std::getline(list, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        add_path(line, files, problems);
      }
    } else {
      add_path(a, files, problems);
    }
  }
  return {files.begin(), files.end()};
}

std::vector<std::string> shard(const std::vector<std::string>& files, int index, int count) {
  std::vector<std::string> out;
  for (size_t k = static_cast<size_t>(index - 1); k < files.size(); k += static_cast<size_t>(count)) out.push_back(files[k]);
  return out;
}

void parse_shard(const std::string& spec, int& index, int& count) {
  const size_t slash = spec.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    size_t a = 0, b = 0;
    index = std::stoi(spec.substr(0, slash), &a);
    count = std::stoi(spec.substr(slash + 1), &b);
    if (a != slash || b != spec.size() - slash - 1) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    throw Error(ErrorCode::invalid_argument, "--shard '" + spec + "': expected I/N, e.g. 3/8");
  }
  if (count < 1 || index < 1 || index > count)
    throw Error(ErrorCode::invalid_argument, "--shard '" + spec + "': need 1 <= I <= N");
}

}  // namespace mbz::eval
