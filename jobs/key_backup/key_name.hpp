#pragma once

// Key Vault key names as they appear in a backup set, where each name becomes a file name.

#include <caf/error.hpp>

#include <string_view>

namespace bulkd::key_backup {

/// Key Vault allows 1-127 characters of [0-9a-zA-Z-]. Anything else (a '/', "..", a NUL, a space,
/// an empty or longer name) is refused with ec::invalid_argument and a message quoting the name
/// (control bytes escaped), so no name can leave the set directory.
caf::error check_key_name(std::string_view name);

} // namespace bulkd::key_backup
