// The emulator's Cosmos request handling, without a socket: each input is a short sequence of
// HTTP requests that go through httplib's request parser and the Cosmos routes of a fresh
// emulator (":memory:" store, two ranges per container, database `db` with container `c`
// partitioned on /pk holding three documents). Requests are signed with the emulator's key unless
// they carry their own authorization header, so the fuzzer reaches the handlers: headers
// (partition keys, continuations, max item count, conditions, batch flags), queries, patch and
// batch bodies, resource paths. An exception escaping a handler or an answer of 500 is a crash.
//
// Input: requests separated by "\n%%\n"; each is
//
//   METHOD TARGET
//   name: value
//   ...
//
//   body
//
// Content-Length, Host, x-ms-date, x-ms-version and the signature are added unless given.

#include "clients/cosmos/auth_signature.hpp"
#include "clients/cosmos/http_date.hpp"
#include "clients/cosmos/resource_path.hpp"
#include "clients/http_headers.hpp"
#include "emulator/cosmos/cosmos_service.hpp"
#include "emulator/cosmos/store.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <httplib.h>

#include <chrono>
#include <exception>

using namespace bulkd;
namespace emu = bulkd::emulator::cosmos;

namespace {

// httplib::Server reads requests from any Stream in process_request (protected): a stream over
// a string lets the routes run without a socket.
class memory_stream : public httplib::Stream {
public:
  explicit memory_stream(std::string input) : input_(std::move(input)) {}

  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    auto n = std::min(size, input_.size() - pos_);
    std::copy_n(input_.data() + pos_, n, ptr);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    output_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8081;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

  const std::string& output() const { return output_; }

private:
  std::string input_;
  size_t pos_ = 0;
  std::string output_;
};

class socketless_server : public httplib::Server {
public:
  /// The raw answer (status line, headers, body).
  std::string handle(std::string request) {
    memory_stream strm{std::move(request)};
    bool closed = false;
    process_request(strm, true, closed, nullptr);
    return strm.output();
  }
};

struct request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  bool has(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (iequals(n, name))
        return true;
    return false;
  }
};

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Keeps the request line and header lines well-formed so that the input reaches the routes:
// bytes that would break them are percent-encoded (target) or dropped (names, values).
std::string clean_target(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c <= 0x20 || c >= 0x7f) {
      const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (out.empty() || out[0] != '/')
    out.insert(out.begin(), '/');
  return out;
}

std::string clean_token(std::string_view text) {
  std::string out;
  for (unsigned char c : text)
    if (c > 0x20 && c < 0x7f && c != ':')
      out += static_cast<char>(c);
  return out;
}

std::string clean_value(std::string_view text) {
  std::string out;
  for (unsigned char c : text)
    if (c != '\r' && c != '\n' && c != 0)
      out += static_cast<char>(c);
  return out;
}

request parse_request(std::string_view text) {
  request req;
  auto line = bulkd::fuzz::take_line(text);
  auto space = line.find(' ');
  req.method = clean_token(line.substr(0, space));
  if (req.method.empty())
    req.method = "GET";
  req.target = clean_target(space == std::string_view::npos ? "/" : line.substr(space + 1));
  bulkd::fuzz::take_headers(text, [&](std::string name, std::string value) {
    name = clean_token(name);
    if (!name.empty())
      req.headers.emplace_back(std::move(name), clean_value(value));
  });
  req.body = std::string{text};
  return req;
}

const cosmos::master_key& key() {
  static const auto k = *cosmos::parse_master_key(emu::well_known_key);
  return k;
}

std::string wire(request req) {
  if (!req.has("x-ms-date"))
    req.headers.emplace_back("x-ms-date",
                             cosmos::format_http_date(std::chrono::system_clock::now()));
  if (!req.has("x-ms-version"))
    req.headers.emplace_back("x-ms-version", "2020-07-15");
  if (!req.has("authorization")) {
    std::string date;
    for (const auto& [n, v] : req.headers)
      if (iequals(n, "x-ms-date")) {
        date = v;
        break;
      }
    auto addr = cosmos::parse_resource_path(req.target);
    req.headers.emplace_back("authorization",
                             cosmos::master_authorization(key(), lower(req.method),
                                                          addr ? addr->resource_type : "",
                                                          addr ? addr->resource_link : "", date));
  }
  std::string out = req.method + " " + req.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!req.has("content-length"))
    out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  for (const auto& [n, v] : req.headers)
    out += n + ": " + v + "\r\n";
  out += "\r\n";
  out += req.body;
  return out;
}

int status_of(const std::string& answer) {
  // "HTTP/1.1 200 OK"
  if (answer.size() < 12)
    return 0;
  return std::atoi(answer.c_str() + 9);
}

struct fresh_emulator {
  std::unique_ptr<emu::cosmos_service> service;
  socketless_server http;

  fresh_emulator() {
    auto data = emu::store::open(":memory:");
    BULKD_FUZZ_CHECK(static_cast<bool>(data));
    emu::cosmos_config config;
    config.ranges = 2;
    auto made = emu::cosmos_service::make(config, std::move(*data));
    BULKD_FUZZ_CHECK(static_cast<bool>(made));
    service = std::move(*made);
    service->register_routes(http);
    http.set_exception_handler(
        [](const httplib::Request& req, httplib::Response&, std::exception_ptr ep) {
          try {
            std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            std::fprintf(stderr, "exception escaped the handler of %s %s: %s\n", req.method.c_str(),
                         req.target.c_str(), e.what());
          } catch (...) {
            std::fprintf(stderr, "non-standard exception escaped the handler of %s %s\n",
                         req.method.c_str(), req.target.c_str());
          }
          std::abort();
        });
  }

  std::string send(const request& req) { return http.handle(wire(req)); }

  void setup(const std::string& method, const std::string& target, std::string body,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto answer = send({method, target, std::move(headers), std::move(body)});
    auto status = status_of(answer);
    if (status < 200 || status >= 300) {
      std::fprintf(stderr, "setup %s %s failed:\n%s\n", method.c_str(), target.c_str(),
                   answer.c_str());
      std::abort();
    }
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fresh_emulator emu;
  emu.setup("POST", "/dbs", R"({"id":"db"})");
  emu.setup("POST", "/dbs/db/colls",
            R"({"id":"c","partitionKey":{"paths":["/pk"],"kind":"Hash","version":2}})");
  for (auto [doc, pk] : {std::pair{R"({"id":"1","pk":"a","n":1,"s":"x"})", R"(["a"])"},
                         std::pair{R"({"id":"2","pk":"b","tags":["x","y"],"n":2.5})", R"(["b"])"},
                         std::pair{R"({"id":"3","pk":"a","o":{"p":null}})", R"(["a"])"}})
    emu.setup("POST", "/dbs/db/colls/c/docs", doc, {{"x-ms-documentdb-partitionkey", pk}});

  std::string_view text{reinterpret_cast<const char*>(data), size};
  constexpr std::string_view separator = "\n%%\n";
  for (int i = 0; i < 4 && !text.empty(); ++i) {
    auto at = text.find(separator);
    auto one = text.substr(0, at);
    text = at == std::string_view::npos ? std::string_view{} : text.substr(at + separator.size());
    auto answer = emu.send(parse_request(one));
    if (status_of(answer) == 500) {
      std::fprintf(stderr, "the emulator answered 500:\n%s\n", answer.c_str());
      std::abort();
    }
  }
  return 0;
}
