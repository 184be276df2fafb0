#include "emulator/keyvault/key_identifier.hpp"
#include "emulator/keyvault/routes_support.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <exception>

namespace bulkd::emulator::keyvault {

int64_t keyvault_context::now() const {
  if (clock)
    return clock();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace rest {

namespace {

constexpr size_t max_body_bytes = 16u << 20;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

bool known_api_version(std::string_view v) {
  if (v == "2025-07-01")
    return true;
  // 7.0 ... 7.6 and their previews ("7.6-preview.2").
  if (v.size() < 3 || v[0] != '7' || v[1] != '.' || v[2] < '0' || v[2] > '6')
    return false;
  auto rest = v.substr(3);
  return rest.empty() || rest.rfind("-preview", 0) == 0;
}

std::string challenge(const keyvault_context& ctx) {
  auto authority = ctx.authority;
  if (!authority.empty() && authority.back() == '/')
    authority.pop_back();
  return "Bearer authorization=\"" + authority + "/" + ctx.tenant + "\", resource=\"" +
         ctx.resource + "\"";
}

/// Empty when the request is authorized, else the 401 message.
std::string check_token(const keyvault_context& ctx, const httplib::Request& req, int64_t now) {
  auto header = req.get_header_value("Authorization");
  std::string_view h{header};
  while (!h.empty() && h.front() == ' ')
    h.remove_prefix(1);
  if (h.size() < 7 || !iequals(h.substr(0, 7), "bearer "))
    return "AKV10000: Request is missing a Bearer or PoP token.";
  auto token = h.substr(7);
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ')
    token.remove_suffix(1);
  if (token.empty())
    return "AKV10000: Request is missing a Bearer or PoP token.";
  if (ctx.issuer == nullptr)
    return "The emulator has no token issuer to check tokens with.";
  std::vector<std::string> audiences{ctx.resource};
  audiences.insert(audiences.end(), ctx.extra_audiences.begin(), ctx.extra_audiences.end());
  auto check = ctx.issuer->verify(token, audiences, now);
  if (!check)
    return std::string{"The access token was refused ("} + identity::to_string(check.fault) +
           "): " + check.detail;
  if (!iequals(check.claims.tenant, ctx.tenant))
    return "The access token is from tenant '" + check.claims.tenant + "', this vault is in '" +
           ctx.tenant + "'.";
  return {};
}

bool has_body(const httplib::Request& req) {
  if (req.has_header("Content-Length"))
    return req.get_header_value("Content-Length") != "0";
  return iequals(req.get_header_value("Transfer-Encoding"), "chunked");
}

/// Reads (or, with `keep` false, discards) the body; false when the connection broke or the body
/// is too large.
bool read_body(const httplib::Request& req, const httplib::ContentReader* reader, bool keep,
               std::string& out) {
  if (reader == nullptr || !has_body(req))
    return true;
  size_t seen = 0;
  return (*reader)([&](const char* data, size_t size) {
    seen += size;
    if (keep)
      out.append(data, size);
    return seen <= max_body_bytes;
  });
}

void common_headers(const httplib::Request& req, httplib::Response& res) {
  res.set_header("x-ms-request-id", new_guid());
  res.set_header("x-ms-keyvault-service-version", "1.9.0.0");
  res.set_header("x-ms-keyvault-region", "local");
  if (req.has_header("x-ms-client-request-id"))
    res.set_header("x-ms-client-request-id", req.get_header_value("x-ms-client-request-id"));
}

void handle(keyvault_context& ctx, const operation& op, const httplib::Request& req,
            httplib::Response& res, const httplib::ContentReader* reader) {
  call c{req, res, ctx, {}, ctx.now()};
  common_headers(req, res);
  if (auto refusal = check_token(ctx, req, c.now); !refusal.empty()) {
    // Never parsed: a client probing for the challenge sends no body, others lose theirs.
    std::string ignored;
    read_body(req, reader, false, ignored);
    res.set_header("WWW-Authenticate", challenge(ctx));
    reply_error(c, 401, "Unauthorized", refusal);
    return;
  }
  if (ctx.fault) {
    if (auto status = ctx.fault(req); status != 0) {
      std::string ignored;
      read_body(req, reader, false, ignored);
      if (status == 429 && ctx.throttle_retry_after_ms > 0) {
        auto ms = ctx.throttle_retry_after_ms;
        res.set_header("Retry-After", std::to_string((ms + 999) / 1000));
        res.set_header("x-ms-retry-after-ms", std::to_string(ms));
      }
      if (status == 429)
        reply_error(c, 429, "Throttled",
                    "Request was not processed because too many requests were received. Reason: "
                    "VaultRequestTypeLimitReached");
      else
        reply_error(c, status, "ServiceUnavailable",
                    "The service is unavailable (injected fault).");
      return;
    }
  }
  if (!read_body(req, reader, true, c.body)) {
    reply_error(c, 413, "BadParameter",
                "The request body could not be read or exceeds " + std::to_string(max_body_bytes) +
                    " bytes.");
    return;
  }
  if (!req.has_param("api-version")) {
    reply_error(c, 400, "BadParameter", "The 'api-version' query parameter is required.");
    return;
  }
  auto version = req.get_param_value("api-version");
  if (!known_api_version(version)) {
    reply_error(c, 400, "BadParameter",
                "The specified version (" + version +
                    ") is not recognized. Consider using the latest supported version "
                    "(2025-07-01).");
    return;
  }
  try {
    op(c);
  } catch (const std::exception& e) {
    spdlog::error("keyvault: {} {} failed: {}", req.method, req.path, e.what());
    reply_error(c, 500, "InternalError", std::string{"The emulator failed: "} + e.what());
  }
}

} // namespace

void route(httplib::Server& server, keyvault_context& ctx, verb method, const char* pattern,
           operation op) {
  if (method == verb::get) {
    server.Get(pattern, [&ctx, op](const httplib::Request& req, httplib::Response& res) {
      handle(ctx, op, req, res, nullptr);
    });
    return;
  }
  httplib::Server::HandlerWithContentReader with_reader =
      [&ctx, op](const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& reader) { handle(ctx, op, req, res, &reader); };
  switch (method) {
  case verb::post:
    server.Post(pattern, with_reader);
    break;
  case verb::put:
    server.Put(pattern, with_reader);
    break;
  case verb::patch:
    server.Patch(pattern, with_reader);
    break;
  case verb::del:
    server.Delete(pattern, with_reader);
    break;
  case verb::get:
    break;
  }
}

} // namespace rest

void register_keyvault_routes(httplib::Server& server, keyvault_context& context) {
  rest::register_key_routes(server, context);
  rest::register_deleted_routes(server, context);
  rest::register_backup_routes(server, context);
  // Last, so they only catch what no route above took: Key Vault's error shape for unknown
  // operations under its paths (after the challenge, like every vault request).
  auto unsupported = [](rest::call& c) {
    rest::reply_error(c, 405, "BadParameter",
                      "The operation " + c.req.method + " " + c.req.path + " is not supported.");
  };
  constexpr const char* anything = "/(?:keys|deletedkeys)(?:/.*)?";
  for (auto method :
       {rest::verb::get, rest::verb::post, rest::verb::put, rest::verb::patch, rest::verb::del})
    rest::route(server, context, method, anything, unsupported);
}

} // namespace bulkd::emulator::keyvault
