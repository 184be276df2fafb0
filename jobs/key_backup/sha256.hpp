#pragma once

// SHA-256 in lower-case hex, as the backup set manifest records it.

#include <string>
#include <string_view>

namespace bulkd::key_backup {

std::string sha256_hex(std::string_view bytes);

} // namespace bulkd::key_backup
