#pragma once

// Splits a Cosmos SQL query into tokens. String literals ('..' or "..") are decoded here (escapes
// \' \" \\ \/ \b \f \n \r \t \uXXXX with surrogate pairs); errors name what and where
// ("unterminated string at 1:27").

#include "emulator/cosmos/sql/token.hpp"

#include <caf/expected.hpp>

#include <string_view>
#include <vector>

namespace bulkd::emulator::cosmos::sql {

/// The tokens of text, ending with one token_kind::end.
caf::expected<std::vector<token>> tokenize(std::string_view text);

} // namespace bulkd::emulator::cosmos::sql
