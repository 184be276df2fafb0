#pragma once

// Replacing a file so that a crash leaves either the old or the new content, never a mix.

#include <caf/error.hpp>

#include <filesystem>
#include <string_view>

namespace bulkd {

/// Writes `content` to a unique temporary file in the same directory, fsyncs it, renames it over
/// `file` and fsyncs the directory. The file gets mode 0600 whatever the umask; missing parent
/// directories are created with mode 0700. On failure no temporary file is left behind and the
/// error names the path and the system's reason.
caf::error write_file_atomically(const std::filesystem::path& file, std::string_view content);

/// mkdir -p where every directory created gets mode 0700 (existing ones are left alone).
caf::error create_private_directories(const std::filesystem::path& dir);

} // namespace bulkd
