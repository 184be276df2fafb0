#pragma once

// Helpers for the input reader tests: temporary files (plain and gzip) and reading a whole file.

#include "clients/error.hpp"
#include "jobs/bulk_upsert/record_reader.hpp"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace bulkd::test {

class temp_dir {
public:
  temp_dir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("bulkd-inputs-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  std::string write(const std::string& name, const std::string& content) const {
    auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out{file, std::ios::binary};
    out << content;
    return file.string();
  }

  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

inline std::string gzip(const std::string& content) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, content.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
  zs.avail_in = static_cast<uInt>(content.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

struct read_result {
  std::vector<input_record> records;
  std::vector<rejected_record> rejected;
  std::string error; // rendered, empty when the file was read to its end
};

inline std::unique_ptr<record_reader>
open_reader(const std::string& path, const input_source& source, record_extraction extraction = {},
            resume_point from = {}, reader_options options = {}) {
  auto reader = record_reader::open(path, 0, source, std::move(extraction), from, options);
  if (!reader)
    FAIL("open failed: " << render(reader.error()));
  return std::move(*reader);
}

inline read_result read_all(record_reader& reader, size_t batch = 1000) {
  read_result result;
  for (int guard = 0; guard < 1000000; ++guard) {
    auto more = reader.read(batch, result.records, result.rejected);
    if (!more) {
      result.error = render(more.error());
      return result;
    }
    if (!*more)
      return result;
  }
  FAIL("the reader never ended");
  return result;
}

inline read_result read_file(const std::string& path, const input_source& source,
                             record_extraction extraction = {}, resume_point from = {},
                             reader_options options = {}, size_t batch = 1000) {
  auto reader = open_reader(path, source, std::move(extraction), from, options);
  return read_all(*reader, batch);
}

inline input_source jsonl() {
  return input_source{};
}

inline input_source json_array() {
  input_source s;
  s.format = input_format::json_array;
  return s;
}

inline input_source csv(std::vector<csv_column> columns = {}, char delimiter = ',') {
  input_source s;
  s.format = input_format::csv;
  s.csv.columns = std::move(columns);
  s.csv.delimiter = delimiter;
  return s;
}

/// Tiny blocks, so that records span block boundaries.
inline reader_options tiny_blocks(size_t block = 3, size_t max_record = 4096) {
  return reader_options{block, max_record};
}

inline std::vector<std::string> ids(const read_result& r) {
  std::vector<std::string> out;
  for (const auto& rec : r.records)
    out.push_back(rec.id);
  return out;
}

inline std::vector<uint64_t> lines(const read_result& r) {
  std::vector<uint64_t> out;
  for (const auto& rec : r.records)
    out.push_back(rec.at.line);
  return out;
}

} // namespace bulkd::test
