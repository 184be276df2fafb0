#include "emulator/cosmos/sql/parser.hpp"

#include "emulator/cosmos/sql/lexer.hpp"
#include "emulator/cosmos/sql/sql_error.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

namespace bulkd::emulator::cosmos::sql {

namespace {

using nlohmann::json;

std::string upper(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// Words that cannot name a container, an alias or a path root (Cosmos reserves them; a property
// named like one is reached with alias["value"] or, after a dot, as alias.value).
constexpr std::array<std::string_view, 28> reserved_words = {
    "SELECT", "FROM",   "WHERE",    "AND",    "OR",   "NOT",     "TOP",
    "VALUE",  "AS",     "ORDER",    "BY",     "ASC",  "DESC",    "OFFSET",
    "LIMIT",  "TRUE",   "FALSE",    "NULL",   "IN",   "BETWEEN", "JOIN",
    "GROUP",  "HAVING", "DISTINCT", "EXISTS", "LIKE", "ESCAPE",  "UNDEFINED"};

bool is_reserved(const token& tok) {
  if (tok.kind != token_kind::identifier)
    return false;
  auto u = upper(tok.text);
  return std::find(reserved_words.begin(), reserved_words.end(), u) != reserved_words.end();
}

// Binary operators Cosmos has and this subset does not.
constexpr std::array<std::string_view, 15> unsupported_operators = {
    "+", "-", "*", "/", "%", "||", "?", "??", "&", "|", "^", "<<", ">>", ">>>", "&&"};

const ast::expression* find_count(const ast::expression& e) {
  if (auto* c = std::get_if<ast::call>(&e.node)) {
    if (c->fn == ast::function::count)
      return &e;
    for (auto& a : c->args)
      if (auto* f = find_count(*a))
        return f;
  } else if (auto* u = std::get_if<ast::unary>(&e.node)) {
    return find_count(*u->operand);
  } else if (auto* b = std::get_if<ast::binary>(&e.node)) {
    if (auto* f = find_count(*b->lhs))
      return f;
    return find_count(*b->rhs);
  } else if (auto* l = std::get_if<ast::logical>(&e.node)) {
    for (auto& a : l->operands)
      if (auto* f = find_count(*a))
        return f;
  } else if (auto* in = std::get_if<ast::in_list>(&e.node)) {
    if (auto* f = find_count(*in->needle))
      return f;
    for (auto& a : in->candidates)
      if (auto* f = find_count(*a))
        return f;
  } else if (auto* bw = std::get_if<ast::between>(&e.node)) {
    for (auto* part : {bw->value.get(), bw->low.get(), bw->high.get()})
      if (auto* f = find_count(*part))
        return f;
  }
  return nullptr;
}

bool is_count(const ast::expression& e) {
  auto* c = std::get_if<ast::call>(&e.node);
  return c && c->fn == ast::function::count;
}

struct function_info {
  std::string_view name;
  ast::function fn;
  size_t min_args;
  size_t max_args;
};

constexpr std::array<function_info, 12> functions = {{
    {"COUNT", ast::function::count, 1, 1},
    {"STARTSWITH", ast::function::starts_with, 2, 3},
    {"ENDSWITH", ast::function::ends_with, 2, 3},
    {"CONTAINS", ast::function::contains, 2, 3},
    {"ARRAY_CONTAINS", ast::function::array_contains, 2, 3},
    {"IS_DEFINED", ast::function::is_defined, 1, 1},
    {"IS_NULL", ast::function::is_null, 1, 1},
    {"IS_STRING", ast::function::is_string, 1, 1},
    {"IS_NUMBER", ast::function::is_number, 1, 1},
    {"IS_BOOL", ast::function::is_bool, 1, 1},
    {"IS_ARRAY", ast::function::is_array, 1, 1},
    {"IS_OBJECT", ast::function::is_object, 1, 1},
}};

constexpr std::array<std::string_view, 4> other_aggregates = {"SUM", "AVG", "MIN", "MAX"};

class parser {
public:
  parser(std::vector<token> tokens, const parameter_map& params)
      : toks_(std::move(tokens)), params_(params) {}

  caf::expected<ast::query> run() {
    ast::query q;
    if (auto err = parse_select(q))
      return err;
    if (auto err = parse_from(q))
      return err;
    if (accept_keyword("WHERE")) {
      auto e = parse_expression();
      if (!e)
        return e.error();
      if (auto* f = find_count(**e))
        return sql_error(f->pos, "unsupported: aggregate in WHERE");
      q.where = std::move(*e);
    }
    if (is_keyword(cur(), "GROUP"))
      return sql_error(cur().pos, "unsupported: GROUP BY");
    if (is_keyword(cur(), "ORDER")) {
      auto pos = cur().pos;
      if (auto err = parse_order_by(q))
        return err;
      if (is_aggregate_)
        return sql_error(pos, "unsupported: ORDER BY with an aggregate");
    }
    if (is_keyword(cur(), "OFFSET")) {
      auto pos = cur().pos;
      if (auto err = parse_offset_limit(q))
        return err;
      if (q.top)
        return sql_error(pos, "unsupported: TOP together with OFFSET LIMIT");
    } else if (is_keyword(cur(), "LIMIT")) {
      return sql_error(cur().pos, "LIMIT requires OFFSET");
    }
    if (cur().kind != token_kind::end) {
      const auto& t = cur();
      for (std::string_view kw : {"JOIN", "GROUP", "HAVING", "UNION"})
        if (is_keyword(t, kw))
          return sql_error(t.pos,
                           std::string{"unsupported: "} + (kw == "GROUP" ? "GROUP BY" : kw.data()));
      return sql_error(t.pos, "syntax error: unexpected " + describe(t));
    }
    for (auto& [root, pos] : roots_)
      if (root != q.alias)
        return sql_error(pos, "identifier '" + root + "' could not be resolved");
    return q;
  }

private:
  // --- token helpers

  const token& cur() const { return toks_[i_]; }
  const token& ahead(size_t n = 1) const { return toks_[std::min(i_ + n, toks_.size() - 1)]; }
  void advance() {
    if (i_ + 1 < toks_.size())
      ++i_;
  }

  static bool is_keyword(const token& t, std::string_view kw) {
    return t.kind == token_kind::identifier && upper(t.text) == kw;
  }

  static bool is_symbol(const token& t, std::string_view s) {
    return t.kind == token_kind::symbol && t.text == s;
  }

  bool accept_keyword(std::string_view kw) {
    if (!is_keyword(cur(), kw))
      return false;
    advance();
    return true;
  }

  bool accept_symbol(std::string_view s) {
    if (!is_symbol(cur(), s))
      return false;
    advance();
    return true;
  }

  caf::error expected_error(std::string_view what) const {
    return sql_error(cur().pos,
                     "syntax error: expected " + std::string{what} + ", found " + describe(cur()));
  }

  caf::error expect_keyword(std::string_view kw) {
    if (accept_keyword(kw))
      return {};
    return expected_error(kw);
  }

  caf::error expect_symbol(std::string_view s) {
    if (accept_symbol(s))
      return {};
    return expected_error("'" + std::string{s} + "'");
  }

  // --- clauses

  caf::error parse_select(ast::query& q) {
    if (auto err = expect_keyword("SELECT"))
      return err;
    if (accept_keyword("DISTINCT"))
      q.distinct = true;
    if (accept_keyword("TOP")) {
      auto n = parse_count_argument("TOP");
      if (!n)
        return n.error();
      q.top = *n;
    }
    if (is_keyword(cur(), "DISTINCT"))
      return sql_error(cur().pos, "syntax error: DISTINCT comes before TOP");
    if (accept_symbol("*")) {
      q.kind = ast::select_kind::star;
      return {};
    }
    if (accept_keyword("VALUE")) {
      q.kind = ast::select_kind::value;
      auto e = parse_expression();
      if (!e)
        return e.error();
      if (auto err = check_select_item(**e))
        return err;
      q.value = std::move(*e);
      return {};
    }
    q.kind = ast::select_kind::items;
    std::set<std::string> names;
    int unnamed = 0;
    do {
      if (is_symbol(cur(), "*"))
        return sql_error(cur().pos, "syntax error: '*' must be the only SELECT item");
      auto item_pos = cur().pos;
      auto e = parse_expression();
      if (!e)
        return e.error();
      if (auto err = check_select_item(**e))
        return err;
      ast::projection p;
      p.expr = std::move(*e);
      if (accept_keyword("AS")) {
        if (cur().kind != token_kind::identifier || is_reserved(cur()))
          return expected_error("a name after AS");
        p.name = cur().text;
        advance();
      } else if (cur().kind == token_kind::identifier && !is_reserved(cur())) {
        p.name = cur().text;
        advance();
      } else if (auto* path = std::get_if<ast::path>(&p.expr->node)) {
        if (path->steps.empty()) // the alias itself (run() checks it is the FROM alias)
          p.name = roots_.back().first;
        else if (auto* name = std::get_if<std::string>(&path->steps.back()))
          p.name = *name;
      }
      if (p.name.empty())
        p.name = "$" + std::to_string(++unnamed);
      if (!names.insert(p.name).second)
        return sql_error(item_pos, "duplicate SELECT item name '" + p.name + "'");
      q.projections.push_back(std::move(p));
    } while (accept_symbol(","));
    if (is_aggregate_ && q.projections.size() > 1)
      for (auto& p : q.projections)
        if (is_count(*p.expr))
          return sql_error(p.expr->pos, "unsupported: COUNT together with other SELECT items");
    return {};
  }

  caf::error check_select_item(const ast::expression& e) {
    if (is_count(e)) {
      is_aggregate_ = true;
      auto& arg = *std::get<ast::call>(e.node).args.front();
      if (auto* f = find_count(arg))
        return sql_error(f->pos, "unsupported: nested aggregate");
      return {};
    }
    if (auto* f = find_count(e))
      return sql_error(f->pos, "unsupported: COUNT inside an expression");
    return {};
  }

  caf::error parse_from(ast::query& q) {
    if (auto err = expect_keyword("FROM"))
      return err;
    if (is_symbol(cur(), "("))
      return sql_error(cur().pos, "unsupported: subquery in FROM");
    if (cur().kind != token_kind::identifier || is_reserved(cur()))
      return expected_error("a container name");
    q.alias = cur().text;
    advance();
    if (accept_keyword("AS")) {
      if (cur().kind != token_kind::identifier || is_reserved(cur()))
        return expected_error("an alias after AS");
      q.alias = cur().text;
      advance();
    } else if (cur().kind == token_kind::identifier && !is_reserved(cur())) {
      q.alias = cur().text;
      advance();
    }
    if (is_keyword(cur(), "IN"))
      return sql_error(cur().pos, "unsupported: FROM ... IN (iteration)");
    if (is_symbol(cur(), ".") || is_symbol(cur(), "["))
      return sql_error(cur().pos, "unsupported: FROM on a sub-path");
    if (is_keyword(cur(), "JOIN"))
      return sql_error(cur().pos, "unsupported: JOIN");
    return {};
  }

  caf::error parse_order_by(ast::query& q) {
    advance(); // ORDER
    if (auto err = expect_keyword("BY"))
      return err;
    auto e = parse_operand();
    if (!e)
      return e.error();
    if (!std::holds_alternative<ast::path>((*e)->node))
      return sql_error((*e)->pos, "unsupported: ORDER BY on an expression other than a path");
    ast::order_by ob;
    ob.key = std::move(*e);
    if (accept_keyword("DESC"))
      ob.direction = ast::sort_direction::descending;
    else
      accept_keyword("ASC");
    if (is_symbol(cur(), ","))
      return sql_error(cur().pos, "unsupported: ORDER BY on more than one expression");
    q.order = std::move(ob);
    return {};
  }

  caf::error parse_offset_limit(ast::query& q) {
    advance(); // OFFSET
    auto offset = parse_count_argument("OFFSET");
    if (!offset)
      return offset.error();
    if (auto err = expect_keyword("LIMIT"))
      return err;
    auto limit = parse_count_argument("LIMIT");
    if (!limit)
      return limit.error();
    q.offset = *offset;
    q.limit = *limit;
    return {};
  }

  // A non-negative integer literal or a parameter holding one (TOP, OFFSET, LIMIT).
  caf::expected<std::uint64_t> parse_count_argument(std::string_view clause) {
    const auto& t = cur();
    auto fail = [&] {
      return sql_error(t.pos, std::string{clause} + " expects a non-negative integer");
    };
    if (t.kind == token_kind::number) {
      std::uint64_t n = 0;
      auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
      if (ec != std::errc{} || end != t.text.data() + t.text.size())
        return fail();
      advance();
      return n;
    }
    if (t.kind == token_kind::parameter) {
      auto v = lookup(t);
      if (!v)
        return v.error();
      const auto& value = *v;
      if (!value || !value->is_number_integer() || (value->is_number_integer() && *value < 0))
        return fail();
      advance();
      return value->get<std::uint64_t>();
    }
    return fail();
  }

  caf::expected<std::optional<json>> lookup(const token& t) {
    auto it = params_.find(t.text);
    if (it == params_.end())
      return sql_error(t.pos, "unknown parameter " + t.text);
    return it->second;
  }

  // --- expressions

  static std::uint32_t height_of(const decltype(ast::expression::node)& node) {
    std::uint32_t below = 0;
    auto see = [&](const ast::expression_ptr& e) { below = std::max(below, e->height); };
    if (auto* u = std::get_if<ast::unary>(&node)) {
      see(u->operand);
    } else if (auto* b = std::get_if<ast::binary>(&node)) {
      see(b->lhs);
      see(b->rhs);
    } else if (auto* l = std::get_if<ast::logical>(&node)) {
      for (auto& a : l->operands)
        see(a);
    } else if (auto* in = std::get_if<ast::in_list>(&node)) {
      see(in->needle);
      for (auto& c : in->candidates)
        see(c);
    } else if (auto* bw = std::get_if<ast::between>(&node)) {
      see(bw->value);
      see(bw->low);
      see(bw->high);
    } else if (auto* c = std::get_if<ast::call>(&node)) {
      for (auto& a : c->args)
        see(a);
    }
    return below + 1;
  }

  // Evaluation and the tree's destructor recurse, so deep trees (long AND chains, nested NOTs or
  // parentheses) are refused rather than risking the stack.
  caf::expected<ast::expression_ptr> make(source_position pos,
                                          decltype(ast::expression::node) node) {
    auto e = std::make_shared<ast::expression>();
    e->height = height_of(node);
    e->node = std::move(node);
    e->pos = pos;
    if (e->height > max_height)
      return sql_error(pos, "expression nested too deeply");
    return ast::expression_ptr{std::move(e)};
  }

  caf::expected<ast::expression_ptr> parse_expression() {
    if (++depth_ > max_depth)
      return sql_error(cur().pos, "expression nested too deeply");
    auto e = parse_or();
    --depth_;
    return e;
  }

  caf::expected<ast::expression_ptr> parse_or() {
    return parse_chain("OR", ast::logical_op::logical_or, &parser::parse_and);
  }

  caf::expected<ast::expression_ptr> parse_and() {
    return parse_chain("AND", ast::logical_op::logical_and, &parser::parse_comparison);
  }

  caf::expected<ast::expression_ptr>
  parse_chain(std::string_view keyword, ast::logical_op op,
              caf::expected<ast::expression_ptr> (parser::*operand)()) {
    auto pos = cur().pos;
    auto first = (this->*operand)();
    if (!first || !is_keyword(cur(), keyword))
      return first;
    ast::logical chain{op, {std::move(*first)}};
    while (accept_keyword(keyword)) {
      auto next = (this->*operand)();
      if (!next)
        return next;
      chain.operands.push_back(std::move(*next));
    }
    return make(pos, std::move(chain));
  }

  caf::expected<ast::expression_ptr> parse_comparison() {
    auto lhs = parse_operand();
    if (!lhs)
      return lhs;
    const auto& t = cur();
    static constexpr std::array<std::pair<std::string_view, ast::binary_op>, 7> ops = {{
        {"=", ast::binary_op::equal},
        {"!=", ast::binary_op::not_equal},
        {"<>", ast::binary_op::not_equal},
        {"<", ast::binary_op::less},
        {"<=", ast::binary_op::less_equal},
        {">", ast::binary_op::greater},
        {">=", ast::binary_op::greater_equal},
    }};
    if (t.kind == token_kind::symbol) {
      for (auto& [sym, op] : ops) {
        if (t.text != sym)
          continue;
        auto pos = t.pos;
        advance();
        auto rhs = parse_operand();
        if (!rhs)
          return rhs;
        return make(pos, ast::binary{op, std::move(*lhs), std::move(*rhs)});
      }
      return lhs;
    }
    bool negated = false;
    auto pos = t.pos;
    if (is_keyword(t, "NOT") && (is_keyword(ahead(), "IN") || is_keyword(ahead(), "BETWEEN") ||
                                 is_keyword(ahead(), "LIKE"))) {
      negated = true;
      advance();
    }
    if (is_keyword(cur(), "LIKE"))
      return sql_error(cur().pos, "unsupported: LIKE");
    if (accept_keyword("IN")) {
      if (auto err = expect_symbol("("))
        return err;
      if (is_keyword(cur(), "SELECT"))
        return sql_error(cur().pos, "unsupported: subquery");
      ast::in_list in;
      in.needle = std::move(*lhs);
      in.negated = negated;
      do {
        auto c = parse_operand();
        if (!c)
          return c;
        in.candidates.push_back(std::move(*c));
      } while (accept_symbol(","));
      if (auto err = expect_symbol(")"))
        return err;
      return make(pos, std::move(in));
    }
    if (accept_keyword("BETWEEN")) {
      ast::between bw;
      bw.value = std::move(*lhs);
      bw.negated = negated;
      auto low = parse_operand();
      if (!low)
        return low;
      if (auto err = expect_keyword("AND"))
        return err;
      auto high = parse_operand();
      if (!high)
        return high;
      bw.low = std::move(*low);
      bw.high = std::move(*high);
      return make(pos, std::move(bw));
    }
    return lhs;
  }

  // A primary expression; an arithmetic or other operator after it is reported as unsupported.
  caf::expected<ast::expression_ptr> parse_operand() {
    auto e = parse_unary();
    if (!e)
      return e;
    const auto& t = cur();
    if (t.kind == token_kind::symbol)
      for (auto op : unsupported_operators)
        if (t.text == op)
          return sql_error(t.pos, "unsupported: operator '" + t.text + "'");
    return e;
  }

  // NOT is a prefix operator binding tighter than the comparisons, as in Cosmos' grammar:
  // NOT c.a = 1 is (NOT c.a) = 1; write NOT (c.a = 1) for the other reading.
  caf::expected<ast::expression_ptr> parse_unary() {
    if (!is_keyword(cur(), "NOT"))
      return parse_primary();
    auto pos = cur().pos;
    if (++depth_ > max_depth)
      return sql_error(pos, "expression nested too deeply");
    advance();
    auto operand = parse_unary();
    --depth_;
    if (!operand)
      return operand;
    return make(pos, ast::unary{ast::unary_op::logical_not, std::move(*operand)});
  }

  caf::expected<json> number_value(const token& t, bool negative) {
    auto spelled = (negative ? "-" : "") + t.text;
    if (spelled.find_first_of(".eE") == std::string::npos) {
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(spelled.data(), spelled.data() + spelled.size(), n);
      if (ec == std::errc{} && end == spelled.data() + spelled.size())
        return json(n);
    }
    // from_chars, unlike strtod, ignores the locale.
    double d = 0;
    auto [end, ec] = std::from_chars(spelled.data(), spelled.data() + spelled.size(), d);
    if (ec == std::errc::result_out_of_range)
      return sql_error(t.pos, "number out of range");
    if (ec != std::errc{} || end != spelled.data() + spelled.size())
      return sql_error(t.pos, "invalid number");
    return json(d);
  }

  caf::expected<ast::expression_ptr> parse_primary() {
    const token t = cur();
    switch (t.kind) {
    case token_kind::number: {
      advance();
      auto v = number_value(t, false);
      if (!v)
        return v.error();
      return make(t.pos, ast::literal{std::move(*v)});
    }
    case token_kind::string:
      advance();
      return make(t.pos, ast::literal{json(t.text)});
    case token_kind::parameter: {
      auto v = lookup(t);
      if (!v)
        return v.error();
      advance();
      return make(t.pos, ast::literal{std::move(*v)});
    }
    case token_kind::symbol:
      return parse_symbol_primary(t);
    case token_kind::identifier:
      return parse_identifier_primary(t);
    case token_kind::end:
      break;
    }
    return expected_error("an expression");
  }

  caf::expected<ast::expression_ptr> parse_symbol_primary(const token& t) {
    if (t.text == "(") {
      advance();
      if (is_keyword(cur(), "SELECT"))
        return sql_error(cur().pos, "unsupported: subquery");
      auto inner = parse_expression();
      if (!inner)
        return inner;
      if (auto err = expect_symbol(")"))
        return err;
      return inner;
    }
    if ((t.text == "-" || t.text == "+") && ahead().kind == token_kind::number) {
      advance();
      auto num = cur();
      advance();
      auto v = number_value(num, t.text == "-");
      if (!v)
        return v.error();
      return make(t.pos, ast::literal{std::move(*v)});
    }
    if (t.text == "[")
      return sql_error(t.pos, "unsupported: array literal");
    if (t.text == "{")
      return sql_error(t.pos, "unsupported: object literal");
    if (t.text == "-" || t.text == "+" || t.text == "~")
      return sql_error(t.pos, "unsupported: operator '" + t.text + "'");
    return expected_error("an expression");
  }

  caf::expected<ast::expression_ptr> parse_identifier_primary(const token& t) {
    auto word = upper(t.text);
    if (word == "TRUE" || word == "FALSE") {
      advance();
      return make(t.pos, ast::literal{json(word == "TRUE")});
    }
    if (word == "NULL") {
      advance();
      return make(t.pos, ast::literal{json(nullptr)});
    }
    if (word == "UNDEFINED") {
      advance();
      return make(t.pos, ast::literal{std::nullopt});
    }
    if (word == "SELECT")
      return sql_error(t.pos, "unsupported: subquery");
    if (word == "EXISTS" || (word == "ARRAY" && is_symbol(ahead(), "(")))
      return sql_error(t.pos, "unsupported: " + word + " subquery");
    if (word == "UDF" && is_symbol(ahead(), "."))
      return sql_error(t.pos, "unsupported: user-defined function");
    if (is_symbol(ahead(), "("))
      return parse_call(t, word);
    if (is_reserved(t))
      return expected_error("an expression");
    return parse_path(t);
  }

  caf::expected<ast::expression_ptr> parse_call(const token& t, const std::string& word) {
    auto info = std::find_if(functions.begin(), functions.end(),
                             [&](const function_info& f) { return f.name == word; });
    if (info == functions.end()) {
      if (std::find(other_aggregates.begin(), other_aggregates.end(), word) !=
          other_aggregates.end())
        return sql_error(t.pos, "unsupported: aggregate " + word);
      return sql_error(t.pos, "unsupported: function " + word);
    }
    advance(); // name
    advance(); // (
    ast::call c;
    c.fn = info->fn;
    if (!is_symbol(cur(), ")")) {
      do {
        auto a = parse_expression();
        if (!a)
          return a;
        c.args.push_back(std::move(*a));
      } while (accept_symbol(","));
    }
    if (auto err = expect_symbol(")"))
      return err;
    if (c.args.size() < info->min_args || c.args.size() > info->max_args) {
      auto n = info->min_args == info->max_args
                   ? std::to_string(info->min_args)
                   : std::to_string(info->min_args) + " or " + std::to_string(info->max_args);
      return sql_error(t.pos,
                       word + " expects " + n + " argument" + (info->max_args == 1 ? "" : "s"));
    }
    return make(t.pos, std::move(c));
  }

  caf::expected<ast::expression_ptr> parse_path(const token& root) {
    advance();
    roots_.emplace_back(root.text, root.pos);
    ast::path p;
    for (;;) {
      if (accept_symbol(".")) {
        if (cur().kind != token_kind::identifier)
          return expected_error("a property name after '.'");
        p.steps.emplace_back(cur().text);
        advance();
      } else if (is_symbol(cur(), "[")) {
        advance();
        const token index = cur();
        std::optional<json> value;
        if (index.kind == token_kind::string) {
          value = json(index.text);
        } else if (index.kind == token_kind::number) {
          auto v = number_value(index, false);
          if (!v)
            return v.error();
          value = std::move(*v);
        } else if (index.kind == token_kind::parameter) {
          auto v = lookup(index);
          if (!v)
            return v.error();
          value = std::move(*v);
        } else {
          return sql_error(index.pos, "unsupported: computed property index");
        }
        if (value && value->is_string())
          p.steps.emplace_back(value->get<std::string>());
        else if (value && value->is_number_integer() && *value >= 0)
          p.steps.emplace_back(value->get<std::int64_t>());
        else
          return sql_error(index.pos,
                           "a property index must be a string or a non-negative integer");
        advance();
        if (auto err = expect_symbol("]"))
          return err;
      } else {
        break;
      }
    }
    return make(root.pos, std::move(p));
  }

  std::vector<token> toks_;
  size_t i_ = 0;
  const parameter_map& params_;
  std::vector<std::pair<std::string, source_position>> roots_;
  bool is_aggregate_ = false;
  int depth_ = 0;
  static constexpr int max_depth = 64;
  static constexpr std::uint32_t max_height = 256;
};

} // namespace

caf::expected<ast::query> parse_query(std::string_view text, const parameter_map& parameters) {
  auto tokens = tokenize(text);
  if (!tokens)
    return tokens.error();
  return parser{std::move(*tokens), parameters}.run();
}

} // namespace bulkd::emulator::cosmos::sql
