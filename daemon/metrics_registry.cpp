#include "daemon/metrics_registry.hpp"

#include "daemon/prometheus_text.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace bulkd::metrics {

namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("metrics: " + what);
}

} // namespace

std::string_view to_string(metric_type type) {
  switch (type) {
  case metric_type::counter:
    return "counter";
  case metric_type::gauge:
    return "gauge";
  case metric_type::histogram:
    return "histogram";
  }
  return "untyped";
}

bool valid_metric_name(std::string_view name) {
  if (name.empty() || !(is_alpha(name[0]) || name[0] == ':'))
    return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alpha(c) || is_digit(c) || c == ':'; });
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || !is_alpha(name[0]) || name.starts_with("__"))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return is_alpha(c) || is_digit(c); });
}

void counter::inc(double amount) {
  if (amount > 0) // also false for NaN
    value_.fetch_add(amount, std::memory_order_relaxed);
}

histogram::histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i)
    counts_[i].store(0, std::memory_order_relaxed);
}

void histogram::observe(double value) {
  size_t idx = bounds_.size();
  if (!std::isnan(value))
    idx = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                              bounds_.begin());
  counts_[idx].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<uint64_t> histogram::cumulative_counts() const {
  std::vector<uint64_t> result(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    result[i] = total;
  }
  return result;
}

std::vector<double> default_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> exponential_buckets(double start, double factor, size_t count) {
  if (!(start > 0) || !(factor > 1))
    fail("exponential_buckets needs start > 0 and factor > 1");
  std::vector<double> result;
  result.reserve(count);
  for (size_t i = 0; i < count; ++i, start *= factor)
    result.push_back(start);
  return result;
}

family_base::family_base(std::string name, std::string help, metric_type type,
                         std::vector<std::string> label_names, std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), type_(type),
      label_names_(std::move(label_names)), bounds_(std::move(bounds)) {
  if (!valid_metric_name(name_))
    fail("invalid metric name '" + name_ + "'");
  for (size_t i = 0; i < label_names_.size(); ++i) {
    const auto& label = label_names_[i];
    if (!valid_label_name(label))
      fail("invalid label name '" + label + "' in " + name_);
    if (type_ == metric_type::histogram && label == "le")
      fail("histogram " + name_ + " must not use the label 'le'");
    if (std::find(label_names_.begin(), label_names_.begin() + static_cast<long>(i), label) !=
        label_names_.begin() + static_cast<long>(i))
      fail("duplicate label name '" + label + "' in " + name_);
  }
  if (type_ == metric_type::histogram) {
    if (!bounds_.empty() && std::isinf(bounds_.back()) && bounds_.back() > 0)
      bounds_.pop_back(); // +Inf is implicit
    for (size_t i = 0; i < bounds_.size(); ++i) {
      if (!std::isfinite(bounds_[i]))
        fail("histogram " + name_ + " has a non-finite bucket bound");
      if (i > 0 && !(bounds_[i - 1] < bounds_[i]))
        fail("histogram " + name_ + " bucket bounds must be strictly increasing");
    }
  }
}

family_base::~family_base() = default;

family_base::key family_base::make_key(std::initializer_list<std::string_view> label_values) const {
  if (label_values.size() != label_names_.size())
    fail(name_ + " takes " + std::to_string(label_names_.size()) + " label values, got " +
         std::to_string(label_values.size()));
  key result;
  result.reserve(label_values.size());
  for (auto v : label_values)
    result.emplace_back(v);
  return result;
}

void family_base::remove(std::initializer_list<std::string_view> label_values) {
  auto k = make_key(label_values);
  std::lock_guard guard{mtx_};
  series_.erase(k);
}

void family_base::clear() {
  std::lock_guard guard{mtx_};
  series_.clear();
}

family_snapshot family_base::snapshot() const {
  family_snapshot result;
  result.name = name_;
  result.help = help_;
  result.type = type_;
  result.label_names = label_names_;
  result.bounds = bounds_;
  std::lock_guard guard{mtx_};
  result.series.reserve(series_.size());
  for (const auto& [k, metric] : series_) {
    series_snapshot s;
    s.label_values = k;
    snapshot_series(metric.get(), s);
    result.series.push_back(std::move(s));
  }
  if (label_names_.empty() && result.series.empty()) {
    series_snapshot zero;
    if (type_ == metric_type::histogram)
      zero.cumulative_counts.assign(bounds_.size() + 1, 0);
    result.series.push_back(std::move(zero));
  }
  return result;
}

registry::registry() = default;
registry::~registry() = default;

family_base& registry::add(std::unique_ptr<family_base> candidate) {
  std::lock_guard guard{mtx_};
  // A histogram's samples are <name>_bucket, _sum and _count: no other family may use those names.
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    const auto& name = candidate->name();
    auto clash = candidate->type() == metric_type::histogram
                     ? families_.find(name + std::string{suffix})
                     : families_.end();
    if (clash == families_.end() && name.ends_with(suffix)) {
      auto base = families_.find(std::string_view{name}.substr(0, name.size() - suffix.size()));
      if (base != families_.end() && base->second->type() == metric_type::histogram)
        clash = base;
    }
    if (clash != families_.end())
      fail("metric " + name + " clashes with the samples of " + clash->first);
  }
  auto i = families_.find(candidate->name());
  if (i == families_.end()) {
    auto& result = *candidate;
    families_.emplace(candidate->name(), std::move(candidate));
    return result;
  }
  auto& existing = *i->second;
  if (existing.type() != candidate->type() || existing.label_names() != candidate->label_names() ||
      existing.bounds() != candidate->bounds())
    fail("metric " + candidate->name() + " is already registered with another type, labels or " +
         "buckets");
  return existing;
}

family<counter>& registry::counter_family(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  return static_cast<family<counter>&>(
      add(std::make_unique<family<counter>>(std::move(name), std::move(help), metric_type::counter,
                                            std::move(label_names), std::vector<double>{})));
}

family<gauge>& registry::gauge_family(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  return static_cast<family<gauge>&>(
      add(std::make_unique<family<gauge>>(std::move(name), std::move(help), metric_type::gauge,
                                          std::move(label_names), std::vector<double>{})));
}

family<histogram>& registry::histogram_family(std::string name, std::string help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> buckets) {
  return static_cast<family<histogram>&>(add(
      std::make_unique<family<histogram>>(std::move(name), std::move(help), metric_type::histogram,
                                          std::move(label_names), std::move(buckets))));
}

std::vector<family_snapshot> registry::snapshot() const {
  std::lock_guard guard{mtx_};
  std::vector<family_snapshot> result;
  result.reserve(families_.size());
  for (const auto& [name, fam] : families_)
    result.push_back(fam->snapshot());
  return result;
}

std::string registry::render() const {
  return render_prometheus(snapshot());
}

} // namespace bulkd::metrics
