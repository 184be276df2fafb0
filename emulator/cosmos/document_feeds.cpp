#include "emulator/cosmos/document_feeds.hpp"

#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/partition_key.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/cosmos/rid.hpp"
#include "emulator/cosmos/error_response.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>
#include <ctime>
#include <limits>

namespace bulkd::emulator::cosmos {

namespace {

namespace proto = bulkd::cosmos;

constexpr size_t default_page = 100;
constexpr size_t dynamic_page = 1000; // x-ms-max-item-count: -1 ("the service decides")

std::string upper(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return {};
  auto last = text.find_last_not_of(" \t");
  return std::string{text.substr(first, last - first + 1)};
}

bool parse_int(std::string_view text, int64_t& out) {
  if (text.empty())
    return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// The page size; false after writing the 400.
bool page_size(request_context& ctx, size_t& out) {
  if (!ctx.req.has_header("x-ms-max-item-count")) {
    out = default_page;
    return true;
  }
  auto text = trim(ctx.req.get_header_value("x-ms-max-item-count"));
  int64_t n = 0;
  if (!parse_int(text, n) || n == 0 || n < -1) {
    write_error(ctx.res, 400,
                "The header x-ms-max-item-count must be a positive integer or -1, not '" + text +
                    "'");
    return false;
  }
  out = n == -1 ? dynamic_page : static_cast<size_t>(n);
  return true;
}

std::string collection_rid_text(const container_record& coll) {
  return proto::to_string(proto::collection_rid(coll.db_number, collection_number(coll.key)));
}

// {"_rid":..., "Documents":[...], "_count":n}; `with_lsn` adds each document's _lsn.
std::string feed_body(const container_record& coll, const std::vector<document_record>& docs,
                      bool with_lsn) {
  std::string out = "{\"_rid\":\"" + collection_rid_text(coll) + "\",\"Documents\":[";
  bool first = true;
  for (const auto& doc : docs) {
    if (!first)
      out += ',';
    first = false;
    auto text = document_text(coll, doc);
    if (with_lsn) {
      text.pop_back(); // the closing brace; document_text always ends with system properties
      text += ",\"_lsn\":" + std::to_string(doc.lsn) + "}";
    }
    out += text;
  }
  out += "],\"_count\":" + std::to_string(docs.size()) + "}";
  return out;
}

const range_record* find_range(const container_record& coll, const std::string& id) {
  for (const auto& r : coll.ranges)
    if (r.id == id)
      return &r;
  return nullptr;
}

void range_gone(request_context& ctx, const std::string& id) {
  write_error(ctx.res, 410,
              "The partition key range '" + id +
                  "' does not exist in this container (PartitionKeyRangeGone); refresh the "
                  "partition key ranges",
              1002);
}

// The logical partition of x-ms-documentdb-partitionkey (nullopt: absent) and its range.
struct key_scope {
  std::optional<std::string> pk;
  std::string range_id;
};

bool partition_scope(request_context& ctx, const container_record& coll, key_scope& out) {
  auto text = ctx.req.get_header_value("x-ms-documentdb-partitionkey");
  if (text.empty())
    return true;
  auto key = proto::parse_partition_key_header(text);
  if (!key) {
    write_error(ctx.res, 400,
                "The partition key header x-ms-documentdb-partitionkey is invalid: " +
                    proto::error_message(key.error()));
    return false;
  }
  auto def = proto::parse_partition_key_definition(
      nlohmann::json::parse(coll.partition_key, nullptr, false));
  if (!def) {
    write_error(ctx.res, 500, proto::error_message(def.error()));
    return false;
  }
  if (key->size() != def->paths.size()) {
    write_error(ctx.res, 400,
                "Partition key provided either doesn't correspond to definition in the "
                "collection: the container has " +
                    std::to_string(def->paths.size()) + " partition key path(s), the key has " +
                    std::to_string(key->size()) + " value(s)");
    return false;
  }
  auto epk = proto::effective_partition_key(*key, *def);
  if (!epk) {
    write_error(ctx.res, 400, proto::error_message(epk.error()));
    return false;
  }
  for (const auto& r : coll.ranges)
    if (proto::epk_range{r.min, r.max}.contains(*epk))
      out.range_id = r.id;
  if (out.range_id.empty()) {
    write_error(ctx.res, 500, "No partition key range holds the effective partition key " + *epk);
    return false;
  }
  out.pk = proto::to_header(*key);
  return true;
}

std::string session_token(const std::string& range_id, int64_t lsn) {
  return range_id + ":-1#" + std::to_string(lsn);
}

void range_session_headers(request_context& ctx, const std::string& range_id, int64_t lsn) {
  put_header(ctx.res, "x-ms-session-token", session_token(range_id, lsn));
  put_header(ctx.res, "lsn", std::to_string(lsn));
  put_header(ctx.res, "x-ms-global-committed-lsn", std::to_string(lsn));
}

// "Sat, 21 Nov 2026 12:24:08 GMT" -> seconds since the epoch; false when not RFC 1123.
bool parse_http_date(const std::string& text, int64_t& out) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0')
    return false;
  out = static_cast<int64_t>(timegm(&tm));
  return true;
}

// A continuation from an etag: "42" or 42.
bool parse_lsn_etag(std::string text, int64_t& out) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
    text = text.substr(1, text.size() - 2);
  return parse_int(text, out) && out >= 0;
}

std::string quoted(int64_t lsn) {
  return "\"" + std::to_string(lsn) + "\"";
}

} // namespace

void handle_read_feed(request_context& ctx, const container_record& coll) {
  document_scan scan;
  scan.container = coll.key;
  if (!page_size(ctx, scan.limit))
    return;
  key_scope key;
  if (!partition_scope(ctx, coll, key))
    return;
  scan.pk = key.pk;
  auto range_id = trim(ctx.req.get_header_value("x-ms-documentdb-partitionkeyrangeid"));
  if (!range_id.empty()) {
    if (find_range(coll, range_id) == nullptr)
      return range_gone(ctx, range_id);
    if (key.pk && key.range_id != range_id) {
      // The logical partition lives in another range: nothing of it is here.
      scan.limit = 0;
    }
    scan.range_id = range_id;
  }
  if (auto cont = ctx.req.get_header_value("x-ms-continuation"); !cont.empty()) {
    if (!parse_int(cont, scan.after) || scan.after < 0)
      return write_error(ctx.res, 400,
                         "The continuation token '" + cont +
                             "' is not one this emulator issued for the document feed");
  }
  auto page = ctx.service.data().scan_documents(scan);
  if (!page)
    return write_store_error(ctx.res, page.error());
  if (page->range_gone) // split after this request read the container
    return range_gone(ctx, scan.range_id);
  if (!scan.range_id.empty()) {
    range_session_headers(ctx, scan.range_id, page->range_lsn);
  } else {
    std::string token;
    for (const auto& r : coll.ranges)
      token += (token.empty() ? "" : ",") + session_token(r.id, r.lsn);
    put_header(ctx.res, "x-ms-session-token", token);
  }
  if (page->more)
    put_header(ctx.res, "x-ms-continuation", std::to_string(page->docs.back().number));
  put_header(ctx.res, "x-ms-item-count", std::to_string(page->docs.size()));
  auto body = feed_body(coll, page->docs, false);
  set_charge(ctx.res, read_charge(body.size()));
  write_json(ctx.res, 200, std::move(body));
}

void handle_change_feed(request_context& ctx, const container_record& coll) {
  auto mode = trim(ctx.req.get_header_value("A-IM"));
  if (upper(mode) != "INCREMENTAL FEED")
    return write_error(ctx.res, 400,
                       "The change feed mode (A-IM) '" + mode +
                           "' is not supported by this emulator; only 'Incremental Feed' (latest "
                           "version) is");
  document_scan scan;
  scan.container = coll.key;
  scan.by_lsn = true;
  if (!page_size(ctx, scan.limit))
    return;
  key_scope key;
  if (!partition_scope(ctx, coll, key))
    return;
  scan.pk = key.pk;
  auto range_id = trim(ctx.req.get_header_value("x-ms-documentdb-partitionkeyrangeid"));
  bool epk_scope = ctx.req.has_header("x-ms-start-epk") || ctx.req.has_header("x-ms-end-epk");
  if (epk_scope) {
    auto kind = trim(ctx.req.get_header_value("x-ms-read-key-type"));
    if (!kind.empty() && kind != "EffectivePartitionKeyRange")
      return write_error(ctx.res, 400,
                         "x-ms-read-key-type must be 'EffectivePartitionKeyRange' with "
                         "x-ms-start-epk/x-ms-end-epk, not '" +
                             kind + "'");
    scan.epk_min = upper(trim(ctx.req.get_header_value("x-ms-start-epk")));
    scan.epk_max = upper(trim(ctx.req.get_header_value("x-ms-end-epk")));
    for (const auto& text : {scan.epk_min, scan.epk_max})
      if (text.find_first_not_of("0123456789ABCDEF") != std::string::npos)
        return write_error(ctx.res, 400,
                           "x-ms-start-epk and x-ms-end-epk must be hex effective partition keys, "
                           "not '" +
                               text + "'");
  }
  if (range_id.empty()) {
    if (key.pk) {
      range_id = key.range_id;
    } else if (epk_scope) {
      for (const auto& r : coll.ranges)
        if (proto::epk_range{r.min, r.max}.contains(scan.epk_min))
          range_id = r.id;
      const auto* r = find_range(coll, range_id);
      if (r == nullptr || scan.epk_max.empty() || proto::compare_epk(scan.epk_max, r->max) > 0)
        return write_error(ctx.res, 400,
                           "The EPK range [" + scan.epk_min + ", " + scan.epk_max +
                               ") spans more than one partition key range; send "
                               "x-ms-documentdb-partitionkeyrangeid with it");
    } else if (coll.ranges.size() == 1) {
      range_id = coll.ranges.front().id;
    } else {
      return write_error(ctx.res, 400,
                         "A change feed request on a container with " +
                             std::to_string(coll.ranges.size()) +
                             " partition key ranges needs x-ms-documentdb-partitionkeyrangeid, "
                             "x-ms-documentdb-partitionkey or an EPK range");
    }
  } else if (find_range(coll, range_id) == nullptr) {
    return range_gone(ctx, range_id);
  }
  scan.range_id = range_id;
  if (key.pk && key.range_id != range_id)
    scan.limit = 0; // the logical partition lives in another range
  bool from_now = false;
  auto if_none_match = trim(ctx.req.get_header_value("If-None-Match"));
  if (if_none_match == "*") {
    from_now = true;
    scan.after = std::numeric_limits<int64_t>::max();
  } else if (!if_none_match.empty()) {
    if (!parse_lsn_etag(if_none_match, scan.after))
      return write_error(ctx.res, 400,
                         "The change feed continuation (If-None-Match) '" + if_none_match +
                             "' is not an etag this emulator issued (a quoted LSN such as \"42\")");
  } else if (auto since = ctx.req.get_header_value("If-Modified-Since"); !since.empty()) {
    if (!parse_http_date(since, scan.since_ts))
      return write_error(ctx.res, 400,
                         "The header If-Modified-Since must be an RFC 1123 date such as 'Sat, 21 "
                         "Nov 2026 12:24:08 GMT', not '" +
                             since + "'");
  }
  auto page = ctx.service.data().scan_documents(scan);
  if (!page)
    return write_store_error(ctx.res, page.error());
  if (page->range_gone) // split after this request read the container
    return range_gone(ctx, scan.range_id);
  range_session_headers(ctx, range_id, page->range_lsn);
  put_header(ctx.res, "x-ms-item-count", std::to_string(page->docs.size()));
  if (page->docs.empty()) {
    // Caught up: everything up to the range's LSN has been seen in this scope.
    auto lsn = from_now ? page->range_lsn : std::max(scan.after, page->range_lsn);
    put_header(ctx.res, "etag", quoted(lsn));
    set_charge(ctx.res, 1);
    ctx.res.status = 304;
    return;
  }
  put_header(ctx.res, "etag", quoted(page->docs.back().lsn));
  auto body = feed_body(coll, page->docs, true);
  set_charge(ctx.res, read_charge(body.size()));
  write_json(ctx.res, 200, std::move(body));
}

} // namespace bulkd::emulator::cosmos
