#include "jobs/bulk_upsert/bulk_checkpoint.hpp"

#include "clients/error.hpp"
#include "jobs/atomic_file.hpp"
#include "jobs/enum_names.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bulkd {

namespace {

using json = nlohmann::json;

std::string remedy(const std::filesystem::path& file) {
  return " (remove " + file.string() + " to load every input file from the beginning again)";
}

caf::error corrupt(const std::filesystem::path& file, const std::string& why) {
  return make_error(ec::parse_error,
                    "checkpoint " + file.string() + " is corrupt: " + why + remedy(file));
}

// Reads an unsigned field of files[index]; an error names it.
caf::error get_unsigned(const json& obj, const char* key, size_t index,
                        const std::filesystem::path& file, uint64_t& out) {
  auto i = obj.find(key);
  if (i == obj.end() || !i->is_number_unsigned())
    return corrupt(file,
                   "files[" + std::to_string(index) + "]." + key + " must be an unsigned integer");
  out = i->get<uint64_t>();
  return {};
}

caf::error get_string(const json& obj, const char* key, const std::filesystem::path& file,
                      std::string& out) {
  auto i = obj.find(key);
  if (i == obj.end() || !i->is_string())
    return corrupt(file, std::string{"reading."} + key + " must be a string");
  out = i->get<std::string>();
  return {};
}

caf::expected<reading_spec> reading_from_json(const json& obj, const std::filesystem::path& file) {
  if (!obj.is_object())
    return corrupt(file, "reading must be an object");
  reading_spec r;
  for (auto [key, out] :
       {std::pair{"format", &r.format}, std::pair{"compression", &r.compression},
        std::pair{"id_path", &r.id_path}, std::pair{"partition_key_path", &r.partition_key_path},
        std::pair{"csv_delimiter", &r.csv_delimiter}})
    if (auto err = get_string(obj, key, file, *out))
      return err;
  auto generate = obj.find("generate_id");
  if (generate == obj.end() || !generate->is_boolean())
    return corrupt(file, "reading.generate_id must be true or false");
  r.generate_id = generate->get<bool>();
  auto columns = obj.find("csv_columns");
  if (columns == obj.end() || !columns->is_array())
    return corrupt(file, "reading.csv_columns must be an array of strings");
  for (auto& c : *columns) {
    if (!c.is_string())
      return corrupt(file, "reading.csv_columns must be an array of strings");
    r.csv_columns.push_back(c.get<std::string>());
  }
  return r;
}

caf::expected<bulk_checkpoint> from_json(const json& doc, const std::filesystem::path& file) {
  if (!doc.is_object())
    return corrupt(file, "not a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer())
    return corrupt(file, "no version");
  if (*version != bulk_checkpoint_version && *version != 1)
    return make_error(ec::parse_error, "checkpoint " + file.string() + " has version " +
                                           version->dump() + ", this bulkd reads versions 1 and " +
                                           std::to_string(bulk_checkpoint_version) + remedy(file));
  bulk_checkpoint cp;
  if (*version != 1) {
    auto reading = doc.find("reading");
    if (reading == doc.end())
      return corrupt(file, "no reading settings");
    auto r = reading_from_json(*reading, file);
    if (!r)
      return std::move(r.error());
    cp.reading = std::move(*r);
  }
  auto files = doc.find("files");
  if (files == doc.end() || !files->is_array())
    return corrupt(file, "files must be an array");
  for (size_t n = 0; n < files->size(); ++n) {
    const auto& f = (*files)[n];
    auto where = "files[" + std::to_string(n) + "]";
    if (!f.is_object())
      return corrupt(file, where + " must be an object");
    file_checkpoint entry;
    auto path = f.find("path");
    if (path == f.end() || !path->is_string() || path->get_ref<const std::string&>().empty())
      return corrupt(file, where + ".path must be a non-empty string");
    entry.path = path->get<std::string>();
    if (auto err = get_unsigned(f, "size", n, file, entry.fingerprint.size))
      return err;
    auto mtime_ns = f.find("mtime_ns");
    if (mtime_ns == f.end() || !mtime_ns->is_number_integer())
      return corrupt(file, where + ".mtime_ns must be an integer");
    entry.fingerprint.mtime_ns = mtime_ns->get<int64_t>();
    if (auto err = get_unsigned(f, "offset", n, file, entry.settled.offset))
      return err;
    if (auto err = get_unsigned(f, "line", n, file, entry.settled.line))
      return err;
    auto finished = f.find("finished");
    if (finished == f.end() || !finished->is_boolean())
      return corrupt(file, where + ".finished must be true or false");
    entry.finished = finished->get<bool>();
    if (find_file(cp, entry.path))
      return corrupt(file, where + ": " + entry.path + " is listed twice");
    cp.files.push_back(std::move(entry));
  }
  return cp;
}

} // namespace

std::string as_stored(const std::string& path) {
  auto quoted = json(path).dump(-1, ' ', false, json::error_handler_t::replace);
  return json::parse(quoted).get<std::string>();
}

std::filesystem::path bulk_checkpoint_path(const std::filesystem::path& state_dir,
                                           std::string_view job) {
  return state_dir / "checkpoints" / (std::string{job} + ".json");
}

caf::expected<bulk_checkpoint> load_bulk_checkpoint(const std::filesystem::path& file) {
  auto fail = [&](int err) {
    return make_error(ec::io_error,
                      "cannot read checkpoint " + file.string() + ": " + std::strerror(err));
  };
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return bulk_checkpoint{};
    return fail(errno);
  }
  std::string text;
  char buf[16384];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      auto err = errno;
      ::close(fd);
      return fail(err);
    }
    if (n == 0)
      break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (text.empty())
    return corrupt(file, "the file is empty");
  try {
    return from_json(json::parse(text), file);
  } catch (const json::exception& e) {
    return corrupt(file, std::string{"invalid JSON: "} + e.what());
  }
}

caf::error save_bulk_checkpoint(const std::filesystem::path& file, const bulk_checkpoint& cp) {
  nlohmann::ordered_json doc;
  doc["version"] = cp.reading ? bulk_checkpoint_version : 1;
  if (cp.reading) {
    auto& r = *cp.reading;
    nlohmann::ordered_json reading;
    reading["format"] = r.format;
    reading["compression"] = r.compression;
    reading["id_path"] = r.id_path;
    reading["generate_id"] = r.generate_id;
    reading["partition_key_path"] = r.partition_key_path;
    reading["csv_delimiter"] = r.csv_delimiter;
    reading["csv_columns"] = r.csv_columns;
    doc["reading"] = std::move(reading);
  }
  auto files = nlohmann::ordered_json::array();
  for (const auto& f : cp.files) {
    nlohmann::ordered_json entry;
    entry["path"] = f.path;
    entry["size"] = f.fingerprint.size;
    entry["mtime_ns"] = f.fingerprint.mtime_ns;
    entry["offset"] = f.settled.offset;
    entry["line"] = f.settled.line;
    entry["finished"] = f.finished;
    files.push_back(std::move(entry));
  }
  doc["files"] = std::move(files);
  // A path that is not UTF-8 is stored with U+FFFD in place of the bad bytes; find_file matches
  // it the same way.
  auto text = doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  return write_file_atomically(file, text);
}

reading_spec reading_spec_of(const bulk_upsert_spec& spec) {
  reading_spec r;
  r.format = std::string{enum_name(spec.source.format)};
  r.compression = std::string{enum_name(spec.source.compression)};
  r.id_path = spec.id_path;
  r.generate_id = spec.generate_id;
  r.partition_key_path = spec.partition_key_path;
  if (spec.source.format == input_format::csv) {
    r.csv_delimiter = std::string(1, spec.source.csv.delimiter);
    for (auto& c : spec.source.csv.columns)
      r.csv_columns.push_back(c.name + ":" + std::string{enum_name(c.type)});
  }
  return r;
}

std::vector<std::string> reading_changes(const reading_spec& was, const reading_spec& now) {
  std::vector<std::string> out;
  auto quoted = [](const std::string& s) { return json(s).dump(); };
  auto text = [&](const char* name, const std::string& a, const std::string& b) {
    if (a != b)
      out.push_back(std::string{name} + ": " + quoted(a) + " -> " + quoted(b));
  };
  text("format", was.format, now.format);
  text("compression", was.compression, now.compression);
  text("id_path", was.id_path, now.id_path);
  if (was.generate_id != now.generate_id)
    out.push_back(std::string{"generate_id: "} + (was.generate_id ? "true" : "false") + " -> " +
                  (now.generate_id ? "true" : "false"));
  text("partition_key_path", was.partition_key_path, now.partition_key_path);
  text("csv delimiter", was.csv_delimiter, now.csv_delimiter);
  if (was.csv_columns != now.csv_columns)
    out.push_back("csv columns: " + json(was.csv_columns).dump() + " -> " +
                  json(now.csv_columns).dump());
  return out;
}

caf::error check_reading(const bulk_checkpoint& cp, const reading_spec& now,
                         const std::filesystem::path& file) {
  if (!cp.reading || cp.files.empty() || *cp.reading == now)
    return {};
  std::string changes;
  for (auto& c : reading_changes(*cp.reading, now))
    changes += (changes.empty() ? "" : "; ") + c;
  return make_error(ec::invalid_argument,
                    "checkpoint " + file.string() + " was written with other input settings (" +
                        changes + "): its offsets do not fit the job any more. Delete " +
                        file.string() +
                        " to load every input file from the beginning again, or run with the "
                        "previous settings to resume");
}

caf::expected<file_fingerprint> fingerprint_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return make_error(ec::io_error, "cannot stat input file " + path + ": " + std::strerror(errno));
  file_fingerprint fp;
  fp.size = static_cast<uint64_t>(st.st_size);
  fp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return fp;
}

const file_checkpoint* find_file(const bulk_checkpoint& cp, const std::string& path) {
  auto i = std::find_if(cp.files.begin(), cp.files.end(),
                        [&](const file_checkpoint& f) { return f.path == path; });
  if (i == cp.files.end()) {
    auto stored = as_stored(path);
    i = std::find_if(cp.files.begin(), cp.files.end(),
                     [&](const file_checkpoint& f) { return f.path == stored; });
  }
  return i == cp.files.end() ? nullptr : &*i;
}

void set_file(bulk_checkpoint& cp, file_checkpoint entry) {
  auto i = std::find_if(cp.files.begin(), cp.files.end(),
                        [&](const file_checkpoint& f) { return f.path == entry.path; });
  if (i == cp.files.end())
    cp.files.push_back(std::move(entry));
  else
    *i = std::move(entry);
}

file_plan plan_file(const bulk_checkpoint& cp, const std::string& path,
                    const file_fingerprint& now) {
  auto entry = find_file(cp, path);
  if (entry == nullptr || !(entry->fingerprint == now))
    return {};
  if (entry->finished)
    return {true, entry->settled};
  return {false, entry->settled};
}

} // namespace bulkd
