#include "emulator/cosmos/sql/compiled_query.hpp"

#include "emulator/cosmos/sql/evaluator.hpp"
#include "emulator/cosmos/sql/parser.hpp"
#include "emulator/cosmos/sql/query_parameters.hpp"
#include "emulator/cosmos/sql/value_order.hpp"

#include <algorithm>
#include <set>

namespace bulkd::emulator::cosmos::sql {

using nlohmann::json;

compiled_query::compiled_query(ast::query q)
    : query_(std::make_shared<const ast::query>(std::move(q))) {}

bool compiled_query::matches(const json& doc) const {
  return !query_->where || is_true(*query_->where, doc);
}

std::optional<json> compiled_query::project(const json& doc) const {
  switch (query_->kind) {
  case ast::select_kind::star:
    return doc;
  case ast::select_kind::value:
    return evaluate(*query_->value, doc);
  case ast::select_kind::items:
    break;
  }
  json row = json::object();
  for (const auto& p : query_->projections)
    if (auto v = evaluate(*p.expr, doc))
      row[p.name] = std::move(*v);
  return row;
}

const ast::call* compiled_query::count_call() const {
  const ast::expression* e = nullptr;
  if (query_->kind == ast::select_kind::value)
    e = query_->value.get();
  else if (query_->kind == ast::select_kind::items && query_->projections.size() == 1)
    e = query_->projections.front().expr.get();
  if (!e)
    return nullptr;
  auto* c = std::get_if<ast::call>(&e->node);
  return c && c->fn == ast::function::count ? c : nullptr;
}

bool compiled_query::is_aggregate() const {
  return count_call() != nullptr;
}

bool compiled_query::counts(const json& doc) const {
  auto* c = count_call();
  return c && evaluate(*c->args.front(), doc).has_value();
}

json compiled_query::aggregate_row(std::uint64_t n) const {
  if (query_->kind == ast::select_kind::value)
    return n;
  return json{{query_->projections.front().name, n}};
}

bool compiled_query::has_order() const {
  return query_->order.has_value();
}

bool compiled_query::descending() const {
  return query_->order && query_->order->direction == ast::sort_direction::descending;
}

std::optional<json> compiled_query::order_key(const json& doc) const {
  if (!query_->order)
    return std::nullopt;
  return evaluate(*query_->order->key, doc);
}

int compiled_query::compare_keys(const std::optional<json>& a, const std::optional<json>& b) const {
  int c = order_compare(a, b);
  return descending() ? -c : c;
}

bool compiled_query::sorts_before(const json& a, const json& b) const {
  return compare_keys(order_key(a), order_key(b)) < 0;
}

std::uint64_t compiled_query::skip() const {
  return query_->offset.value_or(0);
}

std::optional<std::uint64_t> compiled_query::take() const {
  if (query_->top)
    return query_->top;
  return query_->limit;
}

std::vector<json> compiled_query::execute(const std::vector<json>& docs) const {
  std::vector<const json*> kept;
  for (const auto& d : docs)
    if (matches(d))
      kept.push_back(&d);
  std::vector<json> rows;
  if (is_aggregate()) {
    auto n = std::count_if(kept.begin(), kept.end(), [&](const json* d) { return counts(*d); });
    rows.push_back(aggregate_row(static_cast<std::uint64_t>(n)));
  } else {
    if (has_order()) {
      std::vector<std::pair<std::optional<json>, const json*>> keyed;
      keyed.reserve(kept.size());
      for (auto* d : kept)
        keyed.emplace_back(order_key(*d), d);
      std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
        return compare_keys(x.first, y.first) < 0;
      });
      for (size_t i = 0; i < keyed.size(); ++i)
        kept[i] = keyed[i].second;
    }
    std::set<json> seen; // json's operator< orders numbers by value across representations
    for (auto* d : kept) {
      auto row = project(*d);
      if (!row || (distinct() && !seen.insert(*row).second))
        continue;
      rows.push_back(std::move(*row));
    }
  }
  auto first = std::min<std::uint64_t>(skip(), rows.size());
  auto count = rows.size() - first;
  if (auto t = take())
    count = std::min<std::uint64_t>(count, *t);
  return {std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(first)),
          std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(first + count))};
}

caf::expected<compiled_query> compile(std::string_view text, const json& parameters) {
  auto params = parse_parameters(parameters);
  if (!params)
    return params.error();
  auto q = parse_query(text, *params);
  if (!q)
    return q.error();
  return compiled_query{std::move(*q)};
}

} // namespace bulkd::emulator::cosmos::sql
