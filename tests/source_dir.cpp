// Where the repository lies, for the tests' data files (test_util.hpp
// data_path). The one test source compiled with the path: every other file
// compiles the same wherever the repository is cloned, so the compiler
// cache serves a fresh clone (scripts/build.sh).
namespace mbz::test {

const char* source_dir();  // declared in test_util.hpp, which this file need not pull in
const char* source_dir() { return MBZ_SOURCE_DIR; }

}  // namespace mbz::test
