#include "emulator/cosmos/sql/token.hpp"

namespace bulkd::emulator::cosmos::sql {

std::string to_string(source_position pos) {
  return std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

std::string describe(const token& tok) {
  switch (tok.kind) {
  case token_kind::end:
    return "end of query";
  case token_kind::string:
    return "string literal";
  default:
    return "'" + tok.text + "'";
  }
}

} // namespace bulkd::emulator::cosmos::sql
