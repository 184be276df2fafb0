#include "emulator/faults.hpp"

#include "clients/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace bulkd::emulator {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

caf::error bad(std::string_view token, const std::string& why) {
  return make_error(ec::invalid_argument,
                    "invalid --faults token '" + std::string{token} + "': " + why);
}

bool parse_probability(std::string_view text, double& out) {
  // std::from_chars for double is available in GCC 11+.
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && err == std::errc{} && end == text.data() + text.size() &&
         std::isfinite(out) && out >= 0 && out <= 1;
}

bool parse_duration(std::string_view text, std::chrono::milliseconds& out) {
  uint64_t value = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || err != std::errc{} || end == text.data())
    return false;
  std::string_view unit{end, static_cast<size_t>(text.data() + text.size() - end)};
  if (unit == "ms" && value <= 3'600'000)
    out = std::chrono::milliseconds{value};
  else if (unit == "s" && value <= 3600)
    out = std::chrono::seconds{value};
  else if (unit.empty() && value == 0)
    out = std::chrono::milliseconds{0};
  else
    return false;
  return true;
}

} // namespace

caf::expected<fault_spec> parse_faults(std::string_view text) {
  fault_spec spec;
  text = trim(text);
  if (text.empty())
    return spec;
  bool seen[6] = {};
  while (true) {
    auto comma = text.find(',');
    auto token = trim(text.substr(0, comma));
    auto eq = token.find('=');
    if (token.empty())
      return make_error(ec::invalid_argument, "invalid --faults: empty token (two commas in a "
                                              "row or a trailing comma)");
    if (eq == std::string_view::npos)
      return bad(token, "expected NAME=VALUE with NAME one of 429, 503, reset, latency, "
                        "retry-after, seed");
    auto name = trim(token.substr(0, eq));
    auto value = trim(token.substr(eq + 1));
    int index = -1;
    if (name == "429" || name == "503" || name == "reset") {
      index = name == "429" ? 0 : name == "503" ? 1 : 2;
      double p = 0;
      if (!parse_probability(value, p))
        return bad(token, "the probability must be a number from 0 to 1");
      (index == 0 ? spec.throttle : index == 1 ? spec.unavailable : spec.reset) = p;
    } else if (name == "latency" || name == "retry-after") {
      index = name == "latency" ? 3 : 4;
      if (!parse_duration(value, index == 3 ? spec.latency : spec.retry_after))
        return bad(token, "the duration must be like 20ms or 2s (at most one hour)");
    } else if (name == "seed") {
      index = 5;
      auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), spec.seed);
      if (value.empty() || err != std::errc{} || end != value.data() + value.size())
        return bad(token, "the seed must be a non-negative integer");
    } else {
      return bad(token, "unknown fault '" + std::string{name} +
                            "' (expected 429, 503, reset, latency, retry-after or seed)");
    }
    if (seen[index])
      return bad(token, "'" + std::string{name} + "' is given twice");
    seen[index] = true;
    if (comma == std::string_view::npos)
      break;
    text.remove_prefix(comma + 1);
  }
  if (spec.throttle + spec.unavailable + spec.reset > 1 + 1e-9)
    return make_error(ec::invalid_argument,
                      "invalid --faults: the probabilities of 429, 503 and reset add up to more "
                      "than 1");
  return spec;
}

std::string to_string(const fault_spec& spec) {
  std::string out;
  auto add = [&](const std::string& part) {
    if (!out.empty())
      out += ',';
    out += part;
  };
  auto prob = [](double p) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", p);
    return std::string{buf};
  };
  if (spec.throttle > 0)
    add("429=" + prob(spec.throttle));
  if (spec.unavailable > 0)
    add("503=" + prob(spec.unavailable));
  if (spec.reset > 0)
    add("reset=" + prob(spec.reset));
  if (spec.latency.count() > 0)
    add("latency=" + std::to_string(spec.latency.count()) + "ms");
  if (spec.throttle > 0)
    add("retry-after=" + std::to_string(spec.retry_after.count()) + "ms");
  if (spec.seed != 0)
    add("seed=" + std::to_string(spec.seed));
  return out.empty() ? "none" : out;
}

fault_injector::fault_injector(fault_spec spec)
    : spec_(spec),
      rng_(spec.seed != 0 ? spec.seed
                          : static_cast<uint64_t>(
                                std::chrono::steady_clock::now().time_since_epoch().count())) {}

fault_kind fault_injector::next(bool bulk) {
  if (spec_.throttle <= 0 && spec_.unavailable <= 0 && spec_.reset <= 0)
    return fault_kind::none;
  double u = 0;
  {
    std::lock_guard guard{mutex_};
    u = std::uniform_real_distribution<double>{0.0, 1.0}(rng_);
  }
  if (u < spec_.reset)
    return fault_kind::reset;
  auto throttle = bulk ? spec_.bulk_throttle() : spec_.throttle;
  if (u < spec_.reset + throttle)
    return fault_kind::throttle;
  if (u < spec_.reset + throttle + spec_.unavailable)
    return fault_kind::unavailable;
  return fault_kind::none;
}

std::vector<bool> fault_injector::throttle_operations(size_t count) {
  std::vector<bool> out(count, false);
  auto p = spec_.operation_throttle();
  if (p <= 0)
    return out;
  uint64_t throttled = 0;
  {
    std::lock_guard guard{mutex_};
    std::uniform_real_distribution<double> draw{0.0, 1.0};
    for (size_t i = 0; i < count; ++i)
      if (draw(rng_) < p) {
        out[i] = true;
        ++throttled;
      }
  }
  operations_throttled_ += throttled;
  return out;
}

namespace {

thread_local fault_injector* current_request_injector = nullptr;

} // namespace

fault_injector* request_fault_injector() {
  return current_request_injector;
}

void set_request_fault_injector(fault_injector* injector) {
  current_request_injector = injector;
}

} // namespace bulkd::emulator
