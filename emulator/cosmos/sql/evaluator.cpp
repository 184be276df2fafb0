#include "emulator/cosmos/sql/evaluator.hpp"

#include "emulator/cosmos/sql/value_order.hpp"

#include <string_view>

namespace bulkd::emulator::cosmos::sql {

namespace {

using nlohmann::json;

// A value during evaluation: undefined, a reference into the document, or a computed JSON value.
// References spare copying documents and sub-objects for paths.
class value {
public:
  value() = default;
  static value of(const json& ref) {
    value v;
    v.ref_ = &ref;
    return v;
  }
  static value own(json j) {
    value v;
    v.owned_ = std::move(j);
    return v;
  }

  bool defined() const { return ref_ != nullptr || owned_.has_value(); }
  const json& get() const { return ref_ ? *ref_ : *owned_; }
  std::optional<json> release() && {
    if (ref_)
      return *ref_;
    return std::move(owned_);
  }

  bool is_true() const { return defined() && get().is_boolean() && get().get<bool>(); }
  bool is_false() const { return defined() && get().is_boolean() && !get().get<bool>(); }

private:
  const json* ref_ = nullptr;
  std::optional<json> owned_;
};

value boolean(bool b) {
  return value::own(json(b));
}

value eval(const ast::expression& e, const json& doc);

value eval_path(const ast::path& p, const json& doc) {
  const json* at = &doc;
  for (const auto& step : p.steps) {
    if (auto* name = std::get_if<std::string>(&step)) {
      if (!at->is_object())
        return {};
      auto it = at->find(*name);
      if (it == at->end())
        return {};
      at = &*it;
    } else {
      auto index = std::get<std::int64_t>(step);
      if (!at->is_array() || index < 0 || static_cast<size_t>(index) >= at->size())
        return {};
      at = &(*at)[static_cast<size_t>(index)];
    }
  }
  return value::of(*at);
}

value compare(ast::binary_op op, const value& l, const value& r) {
  if (!l.defined() || !r.defined())
    return {};
  if (op == ast::binary_op::equal) {
    auto eq = equals(l.get(), r.get());
    return eq ? boolean(*eq) : value{};
  }
  auto c = compare_scalars(l.get(), r.get());
  if (!c)
    return {};
  switch (op) {
  case ast::binary_op::not_equal:
    return boolean(*c != 0);
  case ast::binary_op::less:
    return boolean(*c < 0);
  case ast::binary_op::less_equal:
    return boolean(*c <= 0);
  case ast::binary_op::greater:
    return boolean(*c > 0);
  case ast::binary_op::greater_equal:
    return boolean(*c >= 0);
  default:
    return {};
  }
}

value logical_and(const value& l, const value& r) {
  if (l.is_false() || r.is_false())
    return boolean(false);
  if (l.is_true() && r.is_true())
    return boolean(true);
  return {};
}

value logical_or(const value& l, const value& r) {
  if (l.is_true() || r.is_true())
    return boolean(true);
  if (l.is_false() && r.is_false())
    return boolean(false);
  return {};
}

value logical_not(const value& v) {
  if (v.is_true())
    return boolean(false);
  if (v.is_false())
    return boolean(true);
  return {};
}

char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_text(std::string_view a, std::string_view b, bool ignore_case) {
  if (a.size() != b.size())
    return false;
  if (!ignore_case)
    return a == b;
  for (size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != fold(b[i]))
      return false;
  return true;
}

value string_test(ast::function fn, const std::vector<ast::expression_ptr>& args, const json& doc) {
  auto a = eval(*args[0], doc);
  auto b = eval(*args[1], doc);
  if (!a.defined() || !b.defined() || !a.get().is_string() || !b.get().is_string())
    return {};
  bool ignore_case = false;
  if (args.size() == 3) {
    auto ic = eval(*args[2], doc);
    if (!ic.defined() || !ic.get().is_boolean())
      return {};
    ignore_case = ic.get().get<bool>();
  }
  std::string_view s = a.get().get_ref<const std::string&>();
  std::string_view t = b.get().get_ref<const std::string&>();
  if (t.size() > s.size())
    return boolean(false);
  switch (fn) {
  case ast::function::starts_with:
    return boolean(same_text(s.substr(0, t.size()), t, ignore_case));
  case ast::function::ends_with:
    return boolean(same_text(s.substr(s.size() - t.size()), t, ignore_case));
  default:
    for (size_t i = 0; i + t.size() <= s.size(); ++i)
      if (same_text(s.substr(i, t.size()), t, ignore_case))
        return boolean(true);
    return boolean(false);
  }
}

// Whether every property of pattern is in candidate with an equal value (ARRAY_CONTAINS' partial
// match of objects).
bool object_includes(const json& candidate, const json& pattern) {
  if (!candidate.is_object())
    return false;
  for (const auto& [key, want] : pattern.items()) {
    auto it = candidate.find(key);
    if (it == candidate.end() || equals(*it, want) != true)
      return false;
  }
  return true;
}

value array_contains(const std::vector<ast::expression_ptr>& args, const json& doc) {
  auto arr = eval(*args[0], doc);
  auto needle = eval(*args[1], doc);
  if (!arr.defined() || !arr.get().is_array() || !needle.defined())
    return {};
  bool partial = false;
  if (args.size() == 3) {
    auto p = eval(*args[2], doc);
    if (!p.defined() || !p.get().is_boolean())
      return {};
    partial = p.get().get<bool>();
  }
  for (const auto& element : arr.get()) {
    if (equals(element, needle.get()) == true)
      return boolean(true);
    if (partial && needle.get().is_object() && object_includes(element, needle.get()))
      return boolean(true);
  }
  return boolean(false);
}

value eval_call(const ast::call& c, const json& doc) {
  switch (c.fn) {
  case ast::function::count:
    return {};
  case ast::function::array_contains:
    return array_contains(c.args, doc);
  case ast::function::starts_with:
  case ast::function::ends_with:
  case ast::function::contains:
    return string_test(c.fn, c.args, doc);
  default:
    break;
  }
  auto v = eval(*c.args[0], doc);
  if (c.fn == ast::function::is_defined)
    return boolean(v.defined());
  if (!v.defined())
    return boolean(false);
  const auto& j = v.get();
  switch (c.fn) {
  case ast::function::is_null:
    return boolean(j.is_null());
  case ast::function::is_string:
    return boolean(j.is_string());
  case ast::function::is_number:
    return boolean(j.is_number());
  case ast::function::is_bool:
    return boolean(j.is_boolean());
  case ast::function::is_array:
    return boolean(j.is_array());
  case ast::function::is_object:
    return boolean(j.is_object());
  default:
    return {};
  }
}

value eval(const ast::expression& e, const json& doc) {
  return std::visit(
      [&](const auto& n) -> value {
        using node = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<node, ast::literal>) {
          return n.value ? value::of(*n.value) : value{};
        } else if constexpr (std::is_same_v<node, ast::path>) {
          return eval_path(n, doc);
        } else if constexpr (std::is_same_v<node, ast::unary>) {
          return logical_not(eval(*n.operand, doc));
        } else if constexpr (std::is_same_v<node, ast::binary>) {
          return compare(n.op, eval(*n.lhs, doc), eval(*n.rhs, doc));
        } else if constexpr (std::is_same_v<node, ast::logical>) {
          // Kleene logic is associative: fold left, stopping at the deciding value.
          bool is_and = n.op == ast::logical_op::logical_and;
          value acc = eval(*n.operands.front(), doc);
          for (size_t i = 1; i < n.operands.size(); ++i) {
            if (is_and ? acc.is_false() : acc.is_true())
              break;
            auto next = eval(*n.operands[i], doc);
            acc = is_and ? logical_and(acc, next) : logical_or(acc, next);
          }
          return acc;
        } else if constexpr (std::is_same_v<node, ast::in_list>) {
          auto needle = eval(*n.needle, doc);
          if (!needle.defined())
            return {};
          bool found = false;
          for (const auto& c : n.candidates)
            if (compare(ast::binary_op::equal, needle, eval(*c, doc)).is_true()) {
              found = true;
              break;
            }
          return boolean(found != n.negated);
        } else if constexpr (std::is_same_v<node, ast::between>) {
          auto v = eval(*n.value, doc);
          auto r = logical_and(compare(ast::binary_op::greater_equal, v, eval(*n.low, doc)),
                               compare(ast::binary_op::less_equal, v, eval(*n.high, doc)));
          return n.negated ? logical_not(r) : r;
        } else {
          return eval_call(n, doc);
        }
      },
      e.node);
}

} // namespace

std::optional<json> evaluate(const ast::expression& e, const json& doc) {
  return eval(e, doc).release();
}

bool is_true(const ast::expression& e, const json& doc) {
  return eval(e, doc).is_true();
}

} // namespace bulkd::emulator::cosmos::sql
