#include "jobs/expand.hpp"

#include "clients/error.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace bulkd {

namespace {

caf::expected<std::string> read_reference_file(const std::string& path, const std::string& ref) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return make_error(ec::invalid_argument, ref + ": cannot read " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  auto content = buf.str();
  if (!content.empty() && content.back() == '\n')
    content.pop_back();
  if (!content.empty() && content.back() == '\r')
    content.pop_back();
  return content;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name == "." || name == "..")
    return false;
  for (char c : name)
    if (c == '/' || c == '\0')
      return false;
  return true;
}

} // namespace

expansion_context expansion_context::from_process() {
  expansion_context ctx;
  ctx.env = [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str()))
      return std::string{v};
    return std::nullopt;
  };
  if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir && *dir)
    ctx.credentials_dir = dir;
  return ctx;
}

caf::expected<expansion> expand(std::string_view text, const expansion_context& ctx) {
  expansion result;
  auto& out = result.value;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    auto close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return make_error(ec::invalid_argument, "unterminated reference '" +
                                                  std::string{text.substr(i)} +
                                                  "' (write $${ for a literal ${)");
    auto ref = std::string{text.substr(i, close + 1 - i)};
    auto body = text.substr(i + 2, close - i - 2);
    auto colon = body.find(':');
    if (colon == std::string_view::npos)
      return make_error(ec::invalid_argument, "invalid reference " + ref +
                                                  " (expected ${env:NAME}, ${file:/path} or "
                                                  "${credential:NAME})");
    auto source = body.substr(0, colon);
    auto arg = std::string{body.substr(colon + 1)};
    result.has_references = true;
    if (source == "env") {
      if (arg.empty())
        return make_error(ec::invalid_argument, ref + ": empty variable name");
      auto v = ctx.env ? ctx.env(arg) : std::nullopt;
      if (!v)
        return make_error(ec::invalid_argument,
                          ref + ": environment variable " + arg + " is not set");
      out += *v;
    } else if (source == "file") {
      if (arg.empty() || arg.front() != '/')
        return make_error(ec::invalid_argument, ref + ": the path must be absolute");
      auto v = read_reference_file(arg, ref);
      if (!v)
        return v.error();
      out += *v;
    } else if (source == "credential") {
      if (!valid_name(arg))
        return make_error(ec::invalid_argument, ref + ": invalid credential name");
      if (!ctx.credentials_dir) {
        if (!ctx.defer_missing_credentials)
          return make_error(ec::invalid_argument,
                            ref + ": $CREDENTIALS_DIRECTORY is not set (no systemd credentials)");
        result.deferred.push_back(arg);
      } else {
        auto v = read_reference_file(*ctx.credentials_dir + "/" + arg, ref);
        if (!v)
          return make_error(ec::invalid_argument, ref + ": credential '" + arg +
                                                      "' not found in $CREDENTIALS_DIRECTORY (" +
                                                      *ctx.credentials_dir + ")");
        out += *v;
      }
    } else {
      return make_error(ec::invalid_argument, ref + ": unknown reference type '" +
                                                  std::string{source} +
                                                  "' (expected env, file or credential)");
    }
    i = close + 1;
  }
  return result;
}

} // namespace bulkd
