#pragma once

// Errors of the Cosmos SQL subset. Every error is ec::invalid_argument (the query route answers
// 400 BadRequest) and its message names the construct and, when it has one, its position as
// "at LINE:COLUMN" (1-based; columns count code points).

#include "emulator/cosmos/sql/token.hpp"

#include <caf/error.hpp>

#include <string>

namespace bulkd::emulator::cosmos::sql {

/// "<what> at <line>:<column>".
caf::error sql_error(source_position pos, const std::string& what);

/// An error without a position (the parameters array, for instance).
caf::error sql_error(const std::string& what);

/// The message of an error made by this library (without render()'s "invalid_argument: " head);
/// for other errors, and errors without a message, render()'s text.
std::string error_message(const caf::error& err);

} // namespace bulkd::emulator::cosmos::sql
