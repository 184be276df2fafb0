#pragma once

// The file behind the jsonl sink: each change is one line (its compact JSON text and '\n').
//
// - `<path>` is the active file, opened with O_APPEND (mode 0600 when created, missing parent
//   directories created 0700). A restart continues it.
// - append() writes a whole batch and, with fsync on, fsyncs it before returning: a batch is
//   reported done only once it is durable. A batch that fails half-way is cut off again
//   (ftruncate to the size before it), so a retry does not leave a partial copy behind.
// - For group commit, write() does the same without the fsync and sync() makes every batch
//   written since the last sync() durable at once: the sink writes all the batches waiting in its
//   mailbox, then fsyncs once and acknowledges them all.
// - Rotation happens between batches, never inside one: before a batch is written, an active
//   file of `rotate` bytes or more is renamed to `<path>.<UTC YYYYMMDDTHHMMSSZ>.<NNN>` (NNN counts
//   from 001 and only grows when that name exists already) and a new `<path>` is started. The
//   names sort in the order they were written. A batch larger than `rotate` still goes into one
//   file.
// - A torn last line (a crash while a batch was being written leaves bytes after the last '\n')
//   is cut off when the file is opened. Those bytes belong to a batch that was never
//   acknowledged (the ack follows the complete, fsynced batch), so it is delivered again; the
//   cut keeps every line of the file a complete JSON text. A torn tail longer than
//   max_torn_tail is not a torn line of ours: open() refuses the file instead of truncating.
// - A newline inside a document (valid JSON has them only as whitespace) is written as a space,
//   so that each change stays one line.

#include "jobs/change_feed/change_batch.hpp"
#include "jobs/change_feed_spec.hpp"
#include "jobs/timestamp.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace bulkd {

class jsonl_sink_file {
public:
  /// Documents are at most 2 MiB in Cosmos DB; a tail longer than this is refused, not cut.
  static constexpr uint64_t max_torn_tail = 16 * 1024 * 1024;

  using clock_fn = std::function<utc_time()>;

  /// Opens (or creates) spec.path. `clock` names rotated files; empty = the system clock.
  static caf::expected<jsonl_sink_file> open(const jsonl_sink& spec, clock_fn clock = {});

  jsonl_sink_file(jsonl_sink_file&& other) noexcept;
  jsonl_sink_file& operator=(jsonl_sink_file&& other) noexcept;
  jsonl_sink_file(const jsonl_sink_file&) = delete;
  jsonl_sink_file& operator=(const jsonl_sink_file&) = delete;
  ~jsonl_sink_file();

  /// Rotates if due, writes every document of the batch as one line and fsyncs (when
  /// configured). On an error nothing of the batch stays in the file, or, when even that
  /// failed, the file is closed (is_open() false) and must be opened again.
  caf::error append(const change_batch& batch);

  /// append() without the fsync: the batch is in the file but not yet durable.
  caf::error write(const change_batch& batch);

  /// Makes everything written since the last sync() durable (no-op with fsync off). When the
  /// fsync fails, the unsynced batches are cut off again (their content is not known to be on
  /// disk; after a failed fsync Linux may have dropped the dirty pages and a second fsync would
  /// "succeed") and the file is closed: the caller writes them again. Batches already moved to a
  /// rotated file were fsynced by the rotation and stay. It fails too when an earlier write()
  /// error had to cut off unsynced batches.
  caf::error sync();

  /// Bytes of the active file written but not yet synced.
  uint64_t unsynced_bytes() const { return size_ - synced_size_; }

  bool is_open() const { return fd_ >= 0; }

  /// Size of the active file.
  uint64_t size() const { return size_; }

  /// Bytes of a torn last line removed by open() (0 when the file ended with '\n').
  uint64_t torn_bytes_removed() const { return torn_; }

  /// Files rotated away by this object, oldest first.
  const std::vector<std::filesystem::path>& rotated() const { return rotated_; }

  const std::filesystem::path& path() const { return path_; }

private:
  jsonl_sink_file(int fd, jsonl_sink spec, clock_fn clock);

  caf::error rotate();
  caf::error write_batch(const change_batch& batch);
  void close();

  int fd_ = -1;
  jsonl_sink spec_;
  std::filesystem::path path_;
  clock_fn clock_;
  uint64_t size_ = 0;
  uint64_t synced_size_ = 0;   // size_ at the last fsync (or open)
  bool unsynced_lost_ = false; // unsynced batches were cut off by an error: sync() fails once
  uint64_t torn_ = 0;
  std::vector<std::filesystem::path> rotated_;
};

/// The name a file rotated at `at` gets: `<path>.<YYYYMMDDTHHMMSSZ>.<NNN>` (counter from 1).
std::filesystem::path rotated_name(const std::filesystem::path& path, utc_time at,
                                   uint32_t counter);

} // namespace bulkd
