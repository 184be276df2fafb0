#pragma once

// A parsed query with its parameters bound, ready to run over documents. The library does no I/O:
// the query route streams documents from its store and uses the pieces below, or hands them all to
// execute().
//
// A result is computed in this order (execute() does exactly this):
//   1. keep the documents for which matches(doc) is true;
//   2. aggregate (is_aggregate()): the result is the one row aggregate_row(n), n = the number of
//      kept documents for which counts(doc) is true; then go to 5;
//   3. ORDER BY (has_order()): stable-sort the kept documents with sorts_before(a, b);
//   4. rows = project(doc) for each, dropping std::nullopt (SELECT VALUE of an undefined value
//      yields no row) and, when distinct(), rows equal to an earlier row (json ==, so 1 and 1.0
//      are equal);
//   5. drop the first skip() rows and keep at most take() of the rest.
// Paging (x-ms-max-item-count, continuation) is the route's: the rows are a deterministic list as
// long as the documents come in the same order, so a continuation can be a position in it.

#include "emulator/cosmos/sql/ast.hpp"

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace bulkd::emulator::cosmos::sql {

class compiled_query {
public:
  explicit compiled_query(ast::query q);

  /// The WHERE clause (true when there is none).
  bool matches(const nlohmann::json& doc) const;

  /// The row a matching document yields: the document (SELECT *), the value (SELECT VALUE), or an
  /// object of the SELECT items that are defined. std::nullopt: no row. Not for aggregates.
  std::optional<nlohmann::json> project(const nlohmann::json& doc) const;

  /// SELECT VALUE COUNT(expr) or SELECT COUNT(expr) [AS name].
  bool is_aggregate() const;

  /// For aggregates: whether a matching document is counted (COUNT(1) counts every document,
  /// COUNT(c.x) those where c.x is defined).
  bool counts(const nlohmann::json& doc) const;

  /// The aggregate's only row: n for SELECT VALUE COUNT, {"<name>": n} otherwise ("$1" unless
  /// the item has an AS name).
  nlohmann::json aggregate_row(std::uint64_t n) const;

  bool has_order() const;
  bool descending() const;

  /// The ORDER BY value of a document; std::nullopt when it lacks the property (such documents
  /// sort first when ascending, last when descending).
  std::optional<nlohmann::json> order_key(const nlohmann::json& doc) const;

  /// -1, 0 or 1: how two ORDER BY keys compare with the direction applied.
  int compare_keys(const std::optional<nlohmann::json>& a,
                   const std::optional<nlohmann::json>& b) const;

  /// Whether document a comes strictly before b (false for ties: use a stable sort).
  bool sorts_before(const nlohmann::json& a, const nlohmann::json& b) const;

  /// SELECT DISTINCT.
  bool distinct() const { return query_->distinct; }

  /// Rows to drop first: OFFSET, or 0.
  std::uint64_t skip() const;

  /// The most rows to return: TOP or LIMIT; std::nullopt for no bound.
  std::optional<std::uint64_t> take() const;

  /// The tree, for callers that need more (a query plan, for instance).
  const ast::query& syntax() const { return *query_; }

  /// Runs the whole query over docs, in the order listed above.
  std::vector<nlohmann::json> execute(const std::vector<nlohmann::json>& docs) const;

private:
  const ast::call* count_call() const;

  std::shared_ptr<const ast::query> query_;
};

/// Parses text and binds the request's "parameters" array ([{"name":"@x","value":...}], or null
/// for none). Errors are ec::invalid_argument whose message (error_message() in sql_error.hpp)
/// names the problem and its position.
caf::expected<compiled_query> compile(std::string_view text,
                                      const nlohmann::json& parameters = nullptr);

} // namespace bulkd::emulator::cosmos::sql
