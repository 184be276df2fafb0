#pragma once

// A fresh directory under the system's temp dir, removed at scope exit.

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace bulkd::test {

class temp_dir {
public:
  temp_dir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("bulkd-identity-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  std::string write(const std::string& name, const std::string& content) const {
    auto p = path_ / name;
    std::ofstream{p, std::ios::binary | std::ios::trunc} << content;
    return p.string();
  }

  std::string path(const std::string& name) const { return (path_ / name).string(); }

private:
  std::filesystem::path path_;
};

} // namespace bulkd::test
