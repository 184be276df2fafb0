#include "jobs/bulk_upsert/bulk_checkpoint.hpp"

#include "clients/error.hpp"
#include "jobs/atomic_file.hpp"

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

caf::expected<bulk_checkpoint> from_json(const json& doc, const std::filesystem::path& file) {
  if (!doc.is_object())
    return corrupt(file, "not a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer())
    return corrupt(file, "no version");
  if (*version != bulk_checkpoint_version)
    return make_error(ec::parse_error, "checkpoint " + file.string() + " has version " +
                                           version->dump() + ", this bulkd reads version " +
                                           std::to_string(bulk_checkpoint_version) + remedy(file));
  auto files = doc.find("files");
  if (files == doc.end() || !files->is_array())
    return corrupt(file, "files must be an array");
  bulk_checkpoint cp;
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
  doc["version"] = bulk_checkpoint_version;
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
