#include "jobs/key_backup/backup_set_writer.hpp"

#include "clients/error.hpp"
#include "jobs/atomic_file.hpp"
#include "jobs/key_backup/encrypted_blob.hpp"
#include "jobs/key_backup/key_name.hpp"
#include "jobs/key_backup/manifest_mac.hpp"
#include "jobs/key_backup/set_layout.hpp"
#include "jobs/key_backup/sha256.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bulkd::key_backup {

namespace {

// Up to this many runs may start within the same second.
constexpr unsigned max_sets_per_second = 100;

caf::error sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return make_error(ec::io_error,
                      "cannot open directory " + dir.string() + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL && err != ENOTSUP)
    return make_error(ec::io_error,
                      "cannot fsync directory " + dir.string() + ": " + std::strerror(err));
  return {};
}

} // namespace

caf::expected<manifest_key> write_key_file(const std::filesystem::path& set_dir,
                                           const encryption_key* key, key_info info,
                                           std::string_view blob) {
  if (auto err = check_key_name(info.name))
    return err;
  if (blob.empty())
    return make_error(ec::invalid_argument, "empty backup blob for key " + info.name);
  manifest_key entry;
  entry.file = key_file_name(info.name, key != nullptr);
  std::string sealed;
  if (key) {
    auto enc = encrypt_blob(*key, info.name, blob);
    if (!enc)
      return enc.error();
    sealed = std::move(*enc);
    blob = sealed;
  }
  if (auto err = write_file_atomically(set_dir / entry.file, blob))
    return err;
  entry.size = blob.size();
  entry.sha256 = sha256_hex(blob);
  entry.key = std::move(info);
  return entry;
}

backup_set_writer::backup_set_writer(options opts, std::filesystem::path dir)
    : opts_(std::move(opts)), dir_(std::move(dir)) {
  manifest_.vault_url = opts_.vault_url;
  manifest_.started = opts_.started;
  if (opts_.key) {
    manifest_.encryption.algorithm = encryption_aes_256_gcm;
    manifest_.encryption.key_id = opts_.key->id();
  }
}

caf::expected<backup_set_writer> backup_set_writer::create(options opts) {
  if (opts.destination.empty())
    return make_error(ec::invalid_argument, "backup destination path is empty");
  auto vault_dir = vault_directory(opts.destination, opts.vault_url);
  if (!vault_dir)
    return vault_dir.error();
  auto parent = *vault_dir;
  if (auto err = create_private_directories(parent))
    return err;
  for (unsigned seq = 1; seq <= max_sets_per_second; ++seq) {
    auto dir = parent / set_directory_name(opts.started, seq);
    if (::mkdir(dir.c_str(), 0700) != 0) {
      if (errno == EEXIST)
        continue;
      return make_error(ec::io_error,
                        "cannot create backup set " + dir.string() + ": " + std::strerror(errno));
    }
    // mkdir applied the umask; the set is 0700 whatever it was.
    if (::chmod(dir.c_str(), 0700) != 0)
      return make_error(ec::io_error, "cannot set the mode of backup set " + dir.string() + ": " +
                                          std::strerror(errno));
    if (auto err = sync_directory(parent))
      return err;
    return backup_set_writer{std::move(opts), std::move(dir)};
  }
  return make_error(ec::conflict, "cannot create a backup set under " + parent.string() + ": " +
                                      std::to_string(max_sets_per_second) +
                                      " sets already started in the same second");
}

caf::error backup_set_writer::check_open(std::string_view name) {
  if (finished_)
    return make_error(ec::invalid_argument, "backup set " + dir_.string() +
                                                " is finished; cannot record " + std::string{name});
  if (names_.count(std::string{name}))
    return make_error(ec::conflict,
                      "key " + std::string{name} + " is already recorded in " + dir_.string());
  return {};
}

caf::error backup_set_writer::write_key(key_info info, std::string_view blob) {
  if (auto err = check_open(info.name))
    return err;
  auto entry = write_key_file(dir_, key(), std::move(info), blob);
  if (!entry)
    return entry.error();
  return add(std::move(*entry));
}

caf::error backup_set_writer::add(manifest_key entry) {
  if (auto err = check_key_name(entry.key.name))
    return err;
  if (auto err = check_open(entry.key.name))
    return err;
  if (entry.file != key_file_name(entry.key.name, opts_.key.has_value()))
    return make_error(ec::invalid_argument, "key " + entry.key.name + ": file " + entry.file +
                                                " was not written for this set's encryption");
  names_.insert(entry.key.name);
  manifest_.keys.push_back(std::move(entry));
  return {};
}

caf::error backup_set_writer::skip(skipped_key entry) {
  if (auto err = check_open(entry.name))
    return err;
  names_.insert(entry.name);
  manifest_.skipped.push_back(std::move(entry));
  return {};
}

caf::error backup_set_writer::fail(failed_key entry) {
  if (auto err = check_open(entry.name))
    return err;
  names_.insert(entry.name);
  manifest_.failed.push_back(std::move(entry));
  return {};
}

caf::expected<backup_manifest> backup_set_writer::finish(utc_time finished) {
  if (finished_)
    return make_error(ec::invalid_argument, "backup set " + dir_.string() + " is finished already");
  manifest_.finished = finished;
  if (opts_.key)
    manifest_.mac = manifest_mac(*opts_.key, manifest_);
  if (auto err = write_file_atomically(dir_ / manifest_file_name, to_json(manifest_)))
    return err;
  finished_ = true;
  return manifest_;
}

} // namespace bulkd::key_backup
