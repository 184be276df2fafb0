#pragma once

// A temporary directory per test and small file helpers for the backup set tests.

#include "jobs/key_backup/encryption_key.hpp"
#include "jobs/timestamp.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdlib.h>
#include <string>

namespace bulkd::test {

struct temp_dir {
  std::filesystem::path path;

  temp_dir() {
    char tmpl[] = "/tmp/bulkd-keybackup-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code err;
    std::filesystem::remove_all(path, err);
  }
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::ostringstream buf;
  buf << in.rdbuf();
  return std::move(buf).str();
}

inline void spit(const std::filesystem::path& p, const std::string& content) {
  std::ofstream{p, std::ios::binary | std::ios::trunc} << content;
}

inline utc_time at(const char* rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  REQUIRE(t);
  return *t;
}

inline constexpr const char* test_key_hex =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
inline constexpr const char* other_key_hex =
    "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

inline key_backup::encryption_key test_key(const char* hex = test_key_hex) {
  auto k = key_backup::encryption_key::parse(hex);
  REQUIRE(k);
  return *k;
}

} // namespace bulkd::test
