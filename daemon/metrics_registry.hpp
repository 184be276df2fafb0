#pragma once

// A thread-safe registry of Prometheus metrics: counters, gauges and histograms, grouped in
// families that share a name, a HELP text and label names. Rendering lives in prometheus_text.hpp.
//
//   bulkd::metrics::registry reg;
//   auto& docs = reg.counter_family("bulkd_documents_written_total", "Documents written.",
//   {"job"}); auto& c = docs.with({"load-products"}); // look up once, keep the reference
//   c.inc(100);
//
// Updating a metric is lock-free (atomics); with() locks its family, so cache the reference on hot
// paths. References stay valid until remove()/clear() drops that series. Programming errors (an
// invalid name, a wrong number of label values, a name registered twice with another shape) throw
// std::invalid_argument: they are found the first time the code runs.

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bulkd::metrics {

enum class metric_type : uint8_t { counter, gauge, histogram };

std::string_view to_string(metric_type type);

/// A monotonically increasing value. Negative and NaN increments are ignored.
class counter {
public:
  void inc(double amount = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0.0};
};

class gauge {
public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1.0) { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) { value_.fetch_sub(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0.0};
};

class histogram {
public:
  /// `bounds` are the finite upper bounds, strictly increasing; +Inf is implicit. The vector is
  /// owned by the family and outlives the histogram.
  explicit histogram(const std::vector<double>& bounds);

  /// Counts `value` in the first bucket whose bound is >= value (NaN and values above the last
  /// bound go to +Inf).
  void observe(double value);

  /// Cumulative counts, one per bound and a last one for +Inf; the last equals the count.
  std::vector<uint64_t> cumulative_counts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }

private:
  const std::vector<double>& bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_; // per bucket, not cumulative
  std::atomic<double> sum_{0.0};
};

/// Prometheus' default buckets: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10 (seconds).
std::vector<double> default_buckets();

/// `count` bounds: start, start*factor, start*factor^2, ...
std::vector<double> exponential_buckets(double start, double factor, size_t count);

/// One series of a family as it was when the snapshot was taken.
struct series_snapshot {
  std::vector<std::string> label_values;
  double value = 0.0;                      // counter and gauge
  std::vector<uint64_t> cumulative_counts; // histogram: per bound, then +Inf
  double sum = 0.0;                        // histogram
};

struct family_snapshot {
  std::string name;
  std::string help;
  metric_type type = metric_type::gauge;
  std::vector<std::string> label_names;
  std::vector<double> bounds;          // histogram
  std::vector<series_snapshot> series; // ordered by label values
};

class family_base {
public:
  family_base(std::string name, std::string help, metric_type type,
              std::vector<std::string> label_names, std::vector<double> bounds);
  virtual ~family_base();

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  metric_type type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }

  /// Drops the series with these label values; references to it become dangling.
  void remove(std::initializer_list<std::string_view> label_values);
  /// Drops every series; references to them become dangling. A family without labels always
  /// renders one series (zero until used).
  void clear();

  family_snapshot snapshot() const;

protected:
  using key = std::vector<std::string>;
  key make_key(std::initializer_list<std::string_view> label_values) const;
  virtual void snapshot_series(const void* metric, series_snapshot& out) const = 0;

  std::string name_;
  std::string help_;
  metric_type type_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::mutex mtx_;
  std::map<key, std::shared_ptr<void>> series_;
};

template <class Metric>
class family final : public family_base {
public:
  using family_base::family_base;

  /// The series with these label values (one per label name, in order), created on first use.
  Metric& with(std::initializer_list<std::string_view> label_values) {
    auto k = make_key(label_values);
    std::lock_guard guard{mtx_};
    auto& slot = series_[std::move(k)];
    if (!slot)
      slot = make_metric();
    return *static_cast<Metric*>(slot.get());
  }

  /// The only series of a family without labels.
  Metric& get() { return with({}); }

private:
  std::shared_ptr<void> make_metric() const {
    if constexpr (std::is_same_v<Metric, histogram>)
      return std::make_shared<histogram>(bounds_);
    else
      return std::make_shared<Metric>();
  }

  void snapshot_series(const void* metric, series_snapshot& out) const override {
    const auto& m = *static_cast<const Metric*>(metric);
    if constexpr (std::is_same_v<Metric, histogram>) {
      out.cumulative_counts = m.cumulative_counts();
      out.sum = m.sum();
    } else {
      out.value = m.value();
    }
  }
};

class registry {
public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  /// Registers a family, or returns the one registered under `name` when type, label names and
  /// buckets match (help is taken from the first registration).
  family<counter>& counter_family(std::string name, std::string help,
                                  std::vector<std::string> label_names = {});
  family<gauge>& gauge_family(std::string name, std::string help,
                              std::vector<std::string> label_names = {});
  family<histogram>& histogram_family(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> buckets = default_buckets());

  /// Every family, ordered by name.
  std::vector<family_snapshot> snapshot() const;

  /// The Prometheus text exposition (format 0.0.4) of snapshot().
  std::string render() const;

private:
  family_base& add(std::unique_ptr<family_base> candidate);

  mutable std::mutex mtx_;
  std::map<std::string, std::unique_ptr<family_base>, std::less<>> families_;
};

/// Whether `name` is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
bool valid_metric_name(std::string_view name);
/// Whether `name` is a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__").
bool valid_label_name(std::string_view name);

} // namespace bulkd::metrics
