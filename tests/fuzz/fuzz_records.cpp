// The bulk-upsert input readers (jsonl, csv, json-array; plain or gzip): any file content gives
// records or rejected records or an error that ends the file, never a crash. And the result does
// not depend on the block size the file is read in: tiny blocks (records spanning blocks) read
// the same records, rejections and error as large ones. Resuming after the first record reads
// the same records as the rest of the full read.
//
// The first byte picks the reading: bits 0-1 the format (jsonl, csv, json-array, csv with ';'
// and typed columns), bit 2 gzip-compresses the content first, bit 3 reads it as gzip as it is
// (mostly corrupt streams), bits 4-5 the small block size (1, 2, 5, 64 bytes), bit 6 generated
// ids, bit 7 a second partition key path.

#include "clients/error.hpp"
#include "jobs/bulk_upsert/record_reader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <unistd.h>

using namespace bulkd;

namespace {

std::string gzip(std::string_view content) {
  z_stream zs{};
  if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    std::abort();
  std::string out(deflateBound(&zs, content.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
  zs.avail_in = static_cast<uInt>(content.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
    std::abort();
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

const std::filesystem::path& work_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() /
             ("bulkd-fuzz-records-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

std::string write_input(std::string_view content, bool gz) {
  auto path = (work_dir() / (gz ? "input.gz" : "input")).string();
  auto* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr)
    std::abort();
  if (!content.empty() && std::fwrite(content.data(), 1, content.size(), f) != content.size())
    std::abort();
  std::fclose(f);
  return path;
}

struct outcome {
  std::vector<input_record> records;
  std::vector<rejected_record> rejected;
  std::string error;
  bool ended = false;
};

outcome read_all(const std::string& path, const input_source& source,
                 const record_extraction& extraction, resume_point from, reader_options options,
                 size_t batch) {
  outcome out;
  auto reader = record_reader::open(path, 0, source, extraction, from, options);
  if (!reader) {
    out.error = render(reader.error());
    return out;
  }
  // Every record is at least one byte, so a reader that has not ended after this many calls is
  // stuck.
  for (int guard = 0; guard < 100000; ++guard) {
    auto more = (*reader)->read(batch, out.records, out.rejected);
    if (!more) {
      out.error = render(more.error());
      return out;
    }
    if (!*more) {
      out.ended = true;
      return out;
    }
  }
  std::fprintf(stderr, "the reader never ended\n");
  std::abort();
}

bool same_records(const input_record& a, const input_record& b) {
  return a.at == b.at && a.document == b.document && a.id == b.id && a.key == b.key;
}

void compare(const outcome& a, const outcome& b) {
  BULKD_FUZZ_CHECK(a.records.size() == b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i)
    BULKD_FUZZ_CHECK(same_records(a.records[i], b.records[i]));
  BULKD_FUZZ_CHECK(a.rejected.size() == b.rejected.size());
  for (size_t i = 0; i < a.rejected.size(); ++i) {
    BULKD_FUZZ_CHECK(a.rejected[i].at == b.rejected[i].at);
    BULKD_FUZZ_CHECK(a.rejected[i].message == b.rejected[i].message);
  }
  BULKD_FUZZ_CHECK(a.error == b.error);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [selector, content] = bulkd::fuzz::select(data, size);
  input_source source;
  switch (selector & 3) {
  case 0:
    source.format = input_format::jsonl;
    break;
  case 1:
    source.format = input_format::csv;
    break;
  case 2:
    source.format = input_format::json_array;
    break;
  case 3:
    source.format = input_format::csv;
    source.csv.delimiter = ';';
    source.csv.columns = {{"n", csv_column_type::number},
                          {"b", csv_column_type::boolean},
                          {"j", csv_column_type::json}};
    break;
  }
  bool compress = (selector & 4) != 0;
  bool raw_gzip = (selector & 8) != 0;
  const size_t small_blocks[] = {1, 2, 5, 64};
  size_t small = small_blocks[(selector >> 4) & 3];
  record_extraction extraction;
  extraction.generate_id = (selector & 64) != 0;
  extraction.partition_key_paths = {"/pk"};
  if (selector & 128)
    extraction.partition_key_paths.push_back("/a/b");

  std::string stored = compress ? gzip(content) : std::string{content};
  auto path = write_input(stored, compress || raw_gzip);
  if (compress || raw_gzip)
    source.compression = input_compression::gzip;
  else
    source.compression = input_compression::none;

  const size_t max_record = 512;
  auto tiny = read_all(path, source, extraction, {}, {small, max_record}, 3);
  auto large = read_all(path, source, extraction, {}, {1 << 16, max_record}, 1000);

  for (const auto& rec : large.records) {
    auto doc = nlohmann::json::parse(rec.document, nullptr, false);
    BULKD_FUZZ_CHECK(doc.is_object());
    BULKD_FUZZ_CHECK(doc.contains("id") && doc["id"].is_string());
    BULKD_FUZZ_CHECK(doc["id"].get<std::string>() == rec.id);
    BULKD_FUZZ_CHECK(rec.at.begin < rec.at.end);
    BULKD_FUZZ_CHECK(rec.key.size() == extraction.partition_key_paths.size());
  }
  for (const auto& rej : large.rejected)
    BULKD_FUZZ_CHECK(!rej.message.empty() && rej.excerpt.size() <= 1024 + 16);

  if (extraction.generate_id) {
    // Generated ids differ between reads; compare the rest.
    for (auto* o : {&tiny, &large})
      for (auto& rec : o->records) {
        rec.id.clear();
        rec.document.clear();
      }
  }
  compare(tiny, large);

  // Resuming after the first record (by offset, line counted by the reader) reads the rest.
  if (large.ended && !large.records.empty()) {
    const auto& first = large.records.front();
    auto rest = read_all(path, source, extraction, {first.at.end, 0}, {small, max_record}, 7);
    if (extraction.generate_id)
      for (auto& rec : rest.records) {
        rec.id.clear();
        rec.document.clear();
      }
    std::vector<input_record> expected(large.records.begin() + 1, large.records.end());
    BULKD_FUZZ_CHECK(rest.records.size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      BULKD_FUZZ_CHECK(same_records(rest.records[i], expected[i]));
  }
  return 0;
}
