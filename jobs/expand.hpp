#pragma once

// Reference expansion in spec values: `${env:NAME}` (environment), `${file:/path}` (file content,
// one trailing newline trimmed) and `${credential:NAME}` (systemd's $CREDENTIALS_DIRECTORY/NAME,
// one trailing newline trimmed). `$${` stands for a literal `${`. A reference that cannot be
// resolved is an error naming it; the error never contains a resolved value.

#include <caf/expected.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

struct expansion_context {
  /// Looks up an environment variable; nullopt when unset.
  std::function<std::optional<std::string>(const std::string&)> env;

  /// Where `${credential:NAME}` files live; nullopt when the process has no credentials.
  std::optional<std::string> credentials_dir;

  /// When there is no credentials directory (e.g. `bulkd validate` run outside systemd), resolve
  /// `${credential:...}` to an empty value and report a warning instead of an error.
  bool defer_missing_credentials = false;

  /// The real process environment and $CREDENTIALS_DIRECTORY.
  static expansion_context from_process();
};

struct expansion {
  std::string value;
  bool has_references = false;       // the input had at least one `${...}`
  std::vector<std::string> deferred; // credential names left unresolved (deferred mode)
};

/// Expands every reference in `text`.
caf::expected<expansion> expand(std::string_view text, const expansion_context& ctx);

} // namespace bulkd
