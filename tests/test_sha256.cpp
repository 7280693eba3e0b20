// SHA-256 (src/common/sha256.cpp): FIPS 180-4's examples and NIST's long
// message, and the SHA-extension form against the plain one on every length
// and alignment a block boundary can fall on.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/sha256.hpp"
#include "model/model_file.hpp"

namespace {

using mbz::sha256_detail::Blocks;

std::string hex_of(const std::string& s, Blocks blocks) {
  return mbz::to_hex(mbz::sha256_detail::digest(s.data(), s.size(), blocks));
}

std::vector<Blocks> forms() {
  std::vector<Blocks> f{mbz::sha256_detail::blocks_plain};
  if (mbz::sha256_detail::sha_ni_supported()) f.push_back(mbz::sha256_detail::blocks_sha_ni);
  return f;
}

TEST(Sha256, KnownAnswers) {
  // FIPS 180-4 examples (one block, two blocks), the empty message, and one
  // of 55 and 56 bytes: where the length stops fitting the first block.
  const std::vector<std::pair<std::string, std::string>> known = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(55, 'a'), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {std::string(56, 'a'), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
  };
  for (Blocks b : forms())
    for (const auto& [message, digest] : known) EXPECT_EQ(hex_of(message, b), digest) << message.size() << " bytes";
}

TEST(Sha256, MillionA) {
  const std::string a(1000000, 'a');
  for (Blocks b : forms()) EXPECT_EQ(hex_of(a, b), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, ExtensionsEqualPlain) {
  if (!mbz::sha256_detail::sha_ni_supported()) GTEST_SKIP() << "this CPU has no SHA extensions";
  std::mt19937 rng(20261205);
  std::vector<uint8_t> buf(4096 + 64);
  for (auto& v : buf) v = static_cast<uint8_t>(rng());
  for (size_t n = 0; n <= 300; ++n)
    for (size_t offset : {0, 1, 7}) {
      const uint8_t* p = buf.data() + offset;
      EXPECT_EQ(mbz::sha256_detail::digest(p, n, mbz::sha256_detail::blocks_sha_ni),
                mbz::sha256_detail::digest(p, n, mbz::sha256_detail::blocks_plain))
          << n << " bytes at offset " << offset;
    }
  EXPECT_EQ(mbz::sha256_detail::digest(buf.data(), 4096, mbz::sha256_detail::blocks_sha_ni),
            mbz::sha256_detail::digest(buf.data(), 4096, mbz::sha256_detail::blocks_plain));
}

// A model file's SHA-256 is computed on a thread of its own from parse()
// on: it is the file's all the same, read at once or later, and a model
// dropped before the hash is done waits for it (the thread reads the
// model's image; the sanitizer stages run this too).
TEST(Sha256, AModelFilesHashIsTheFiles) {
  const std::vector<uint8_t> image = mbz::make_random_model("sha-test", mbz::tiny_model_config(), 7);
  const mbz::Sha256 want = mbz::sha256(image.data(), image.size());
  for (int round = 0; round < 20; ++round) {
    auto m = mbz::ModelFile::parse(image, "sha-test");
    if (round % 2) {
      m.reset();  // dropped before anyone asked for the hash
      continue;
    }
    EXPECT_EQ(m->sha256(), want);
    EXPECT_EQ(m->sha256(), want);  // asked twice: the same
  }
}

}  // namespace
