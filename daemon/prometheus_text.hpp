#pragma once

// Prometheus text exposition format 0.0.4.

#include "daemon/metrics_registry.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace bulkd::metrics {

/// The Content-Type of the exposition.
inline constexpr const char* prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// Renders families in the given order: "# HELP", "# TYPE", then the samples; histograms as
/// cumulative _bucket{le="..."} lines ending with le="+Inf", then _sum and _count.
std::string render_prometheus(const std::vector<family_snapshot>& families);

/// Escapes a HELP text: backslash and newline.
std::string escape_help(std::string_view text);

/// Escapes a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

/// A sample value: integers without exponent up to 2^53, else the shortest round-trip form; "+Inf",
/// "-Inf", "NaN".
std::string format_value(double value);

} // namespace bulkd::metrics
