#include "jobs/bulk_upsert/record_reader.hpp"

#include "clients/error.hpp"
#include "jobs/bulk_upsert/csv_reader.hpp"
#include "jobs/bulk_upsert/json_array_reader.hpp"
#include "jobs/bulk_upsert/jsonl_reader.hpp"

namespace bulkd {

record_reader::~record_reader() = default;

caf::expected<std::unique_ptr<record_reader>>
record_reader::open(const std::string& path, uint32_t file_index, const input_source& source,
                    record_extraction extraction, resume_point from) {
  return open(path, file_index, source, std::move(extraction), from, reader_options{});
}

caf::expected<std::unique_ptr<record_reader>>
record_reader::open(const std::string& path, uint32_t file_index, const input_source& source,
                    record_extraction extraction, resume_point from, reader_options options) {
  auto extractor = record_extractor::make(extraction);
  if (!extractor)
    return std::move(extractor.error());
  bool gzip = source.compression == input_compression::gzip ||
              (source.compression == input_compression::auto_detect && path.size() >= 3 &&
               path.compare(path.size() - 3, 3, ".gz") == 0);
  auto src = byte_source::open(path, gzip, options.block_size);
  if (!src)
    return std::move(src.error());
  input_buffer in{std::move(*src), options.block_size};
  switch (source.format) {
  case input_format::csv:
    return csv_reader::make(path, std::move(in), file_index, std::move(*extractor), options,
                            source.csv, from);
  case input_format::jsonl: {
    uint64_t newlines = 0;
    if (auto err = in.skip_to(from.offset, from.line == 0 ? &newlines : nullptr))
      return err;
    auto line = from.line == 0 ? 1 + newlines : from.line;
    return std::unique_ptr<record_reader>{
        new jsonl_reader(path, std::move(in), file_index, std::move(*extractor), options, line)};
  }
  case input_format::json_array: {
    // Elements share lines, so an element's column needs where its line begins: resuming reads
    // the content before the offset (instead of seeking) to find it, and counts the lines.
    uint64_t newlines = 0;
    uint64_t line_start = 0;
    if (from.offset > 0) {
      while (in.data().size() < 3 && !in.eof())
        if (auto more = in.fill(); !more)
          return std::move(more.error());
      if (in.data().substr(0, 3) == "\xEF\xBB\xBF")
        line_start = 3; // as when reading from the start: columns count after the BOM
      if (auto err = in.skip_to(from.offset, &newlines, &line_start))
        return err;
    }
    auto line = from.line == 0 ? 1 + newlines : from.line;
    return std::unique_ptr<record_reader>{new json_array_reader(path, std::move(in), file_index,
                                                                std::move(*extractor), options,
                                                                {from.offset, line}, line_start)};
  }
  }
  return make_error(ec::invalid_argument, "unknown input format");
}

} // namespace bulkd
