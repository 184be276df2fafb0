#include "jobs/bulk_upsert/record_reader.hpp"

#include "clients/error.hpp"

namespace bulkd {

record_reader::~record_reader() = default;

caf::expected<std::unique_ptr<record_reader>>
record_reader::open(const std::string& path, uint32_t file_index, const input_source& source,
                    record_extraction extraction, resume_point from) {
  return open(path, file_index, source, std::move(extraction), from, reader_options{});
}

caf::expected<std::unique_ptr<record_reader>> record_reader::open(const std::string& path, uint32_t,
                                                                  const input_source&,
                                                                  record_extraction, resume_point,
                                                                  reader_options) {
  return make_error(ec::not_implemented, "record_reader::open(" + path + "): not yet");
}

caf::expected<std::vector<std::string>> list_input_files(const input_source& source) {
  return make_error(ec::not_implemented, "list_input_files(" + source.path + "): not yet");
}

} // namespace bulkd
