#include "clients/cosmos/batch_builder.hpp"
#include "clients/cosmos/batch_operation.hpp"
#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/range_batcher.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>

using namespace bulkd;
using namespace bulkd::cosmos;

namespace {

// An upsert whose serialized form is exactly `size` bytes.
std::string op_of_size(size_t size, size_t index) {
  batch_operation op;
  op.key = {std::string{"k"}};
  op.resource_body = R"({"id":")" + std::to_string(index) + R"(","pad":""})";
  auto base = serialize(op);
  REQUIRE(base);
  REQUIRE(base->size() <= size);
  op.resource_body.insert(op.resource_body.size() - 2, size - base->size(), 'x');
  auto text = serialize(op);
  REQUIRE(text);
  REQUIRE(text->size() == size);
  return *text;
}

std::vector<batch_body> add_all(batch_builder& builder, const std::vector<std::string>& ops) {
  std::vector<batch_body> out;
  for (size_t i = 0; i < ops.size(); ++i) {
    auto done = builder.add(ops[i], i);
    REQUIRE(done);
    for (auto& b : *done)
      out.push_back(std::move(b));
  }
  if (auto rest = builder.flush())
    out.push_back(std::move(*rest));
  return out;
}

// Every body is a JSON array of its operations, in tag order, and the tags count 0..n-1.
void check_bodies(const std::vector<batch_body>& batches, const std::vector<std::string>& ops) {
  uint64_t next = 0;
  for (const auto& b : batches) {
    auto json = nlohmann::json::parse(b.json);
    REQUIRE(json.is_array());
    REQUIRE(json.size() == b.operations());
    for (size_t i = 0; i < b.tags.size(); ++i) {
      CHECK(b.tags[i] == next);
      CHECK(json[i].dump() == nlohmann::json::parse(ops[next]).dump());
      ++next;
    }
  }
  CHECK(next == ops.size());
}

} // namespace

TEST_CASE("batch operations serialize as the SDKs send them", "[cosmos][client][batch]") {
  batch_operation upsert;
  upsert.key = {std::string{"k1"}};
  upsert.resource_body = R"({"id":"eb1","pk":"k1"})";
  CHECK(
      *serialize(upsert) ==
      R"({"operationType":"Upsert","partitionKey":"[\"k1\"]","resourceBody":{"id":"eb1","pk":"k1"}})");
  batch_operation replace{operation_type::replace, "a\"b", {5.0}, R"({"id":"a\"b"})", "\"e1\""};
  CHECK(
      *serialize(replace) ==
      R"({"operationType":"Replace","partitionKey":"[5]","id":"a\"b","resourceBody":{"id":"a\"b"},"ifMatch":"\"e1\""})");
  batch_operation patch{operation_type::patch,
                        "p",
                        {nullptr},
                        R"({"operations":[{"op":"incr","path":"/n","value":1}]})",
                        ""};
  CHECK(
      *serialize(patch) ==
      R"({"operationType":"Patch","partitionKey":"[null]","id":"p","resourceBody":{"operations":[{"op":"incr","path":"/n","value":1}]}})");
  batch_operation del{operation_type::remove, "d", {pk_undefined{}}, "", ""};
  CHECK(*serialize(del) == R"({"operationType":"Delete","partitionKey":"[{}]","id":"d"})");
  del.include_partition_key = false;
  CHECK(*serialize(del) == R"({"operationType":"Delete","id":"d"})");
  CHECK(to_string(operation_type::create) == std::string{"Create"});
  CHECK(to_string(operation_type::read) == std::string{"Read"});

  auto bad = [](batch_operation op) {
    auto text = serialize(op);
    REQUIRE_FALSE(text);
    return render(text.error());
  };
  CHECK(bad({operation_type::read, "", {}, "", ""}) ==
        "invalid_argument: invalid Read operation: it needs an id");
  CHECK(bad({operation_type::create, "", {}, "", ""}) ==
        "invalid_argument: invalid Create operation: it needs a resource body that is a JSON "
        "object");
  CHECK(bad({operation_type::upsert, "", {}, "[1]", ""}) ==
        "invalid_argument: invalid Upsert operation: it needs a resource body that is a JSON "
        "object");
  CHECK(bad({operation_type::remove, "x", {}, "{}", ""}) ==
        "invalid_argument: invalid Delete operation: it takes no resource body");
}

TEST_CASE("exactly 100 operations close a batch", "[cosmos][client][batch]") {
  batch_builder builder;
  std::vector<std::string> ops;
  for (size_t i = 0; i < 201; ++i)
    ops.push_back(op_of_size(100, i));
  for (size_t i = 0; i < 99; ++i) {
    auto done = builder.add(ops[i], i);
    REQUIRE(done);
    CHECK(done->empty());
  }
  CHECK(builder.pending_operations() == 99);
  auto hundredth = builder.add(ops[99], 99);
  REQUIRE(hundredth);
  REQUIRE(hundredth->size() == 1);
  CHECK(hundredth->front().operations() == 100);
  CHECK(builder.pending_operations() == 0);
  CHECK_FALSE(builder.flush());

  batch_builder again;
  auto batches = add_all(again, ops);
  REQUIRE(batches.size() == 3);
  CHECK(batches[0].operations() == 100);
  CHECK(batches[1].operations() == 100);
  CHECK(batches[2].operations() == 1);
  check_bodies(batches, ops);
}

TEST_CASE("the byte budget closes a batch before it would be exceeded", "[cosmos][client][batch]") {
  batch_limits limits;
  limits.max_body_bytes = 10'000;
  batch_builder builder{limits};
  std::vector<std::string> ops;
  for (size_t i = 0; i < 50; ++i)
    ops.push_back(op_of_size(999, i));
  auto batches = add_all(builder, ops);
  // "[" + 10 ops of 999 + 9 commas + "]" = 10,001 > 10,000: 9 per batch.
  REQUIRE(batches.size() == 6);
  for (size_t i = 0; i < 5; ++i) {
    CHECK(batches[i].operations() == 9);
    CHECK(batches[i].json.size() == 9 * 999 + 8 + 2);
  }
  CHECK(batches[5].operations() == 5);
  check_bodies(batches, ops);

  // A body of exactly the budget still goes out as one batch.
  batch_limits exact;
  exact.max_body_bytes = 2 + 3 * 100 + 2;
  batch_builder fits{exact};
  std::vector<std::string> three = {op_of_size(100, 0), op_of_size(100, 1), op_of_size(100, 2)};
  auto one = add_all(fits, three);
  REQUIRE(one.size() == 1);
  CHECK(one[0].json.size() == exact.max_body_bytes);

  // The SDKs' default budget with ~2 KB documents.
  batch_builder defaults;
  std::vector<std::string> big;
  for (size_t i = 0; i < 300; ++i)
    big.push_back(op_of_size(2048, i));
  auto packed = add_all(defaults, big);
  for (const auto& b : packed) {
    CHECK(b.json.size() <= 220'201);
    CHECK(b.operations() <= 100);
  }
  CHECK(packed[0].operations() == 100); // 100 x 2 KB = 205 KB fits
  check_bodies(packed, big);
}

TEST_CASE("an operation over the budget goes alone, one over the limit is refused",
          "[cosmos][client][batch]") {
  batch_limits limits;
  limits.max_body_bytes = 1000;
  limits.max_operation_bytes = 5000;
  batch_builder builder{limits};
  auto small0 = op_of_size(100, 0);
  auto huge = op_of_size(3000, 1);
  auto small2 = op_of_size(100, 2);
  REQUIRE(builder.add(small0, 0)->empty());
  auto done = builder.add(huge, 1);
  REQUIRE(done);
  REQUIRE(done->size() == 2); // the open batch, then the big one by itself
  CHECK((*done)[0].tags == std::vector<uint64_t>{0});
  CHECK((*done)[1].tags == std::vector<uint64_t>{1});
  CHECK((*done)[1].json == "[" + huge + "]");
  REQUIRE(builder.add(small2, 2)->empty());

  auto too_big = builder.add(op_of_size(5001, 3), 3);
  REQUIRE_FALSE(too_big);
  CHECK(render(too_big.error()) == "invalid_argument: operation 3 is 5001 bytes, more than the "
                                   "5000 one operation may have");
  CHECK(builder.pending_operations() == 1); // nothing was added
  CHECK(builder.pending_bytes() == 102);
  auto rest = builder.flush();
  REQUIRE(rest);
  CHECK(rest->tags == std::vector<uint64_t>{2});

  auto packed = pack_batches({small0, huge, small2}, limits);
  REQUIRE(packed);
  CHECK(packed->size() == 3);
  auto refused = pack_batches({small0, op_of_size(6000, 1)}, limits);
  REQUIRE_FALSE(refused);
  CHECK(render(refused.error()) == "invalid_argument: operation 1 is 6000 bytes, more than the "
                                   "5000 one operation may have");
}

TEST_CASE("bulk operations are grouped per partition key range", "[cosmos][client][batch]") {
  auto split = split_epk_space(4, 2);
  REQUIRE(split);
  std::vector<partition_key_range> ranges;
  for (size_t i = 0; i < split->size(); ++i)
    ranges.push_back({std::to_string(i), (*split)[i].min, (*split)[i].max, {}, ""});
  auto map = routing_map::make(ranges);
  REQUIRE(map);
  auto def = make_partition_key_definition({"/pk"}, partition_kind::hash, 2);
  REQUIRE(def);
  batch_limits limits;
  limits.max_operations = 10;
  range_batcher batcher{*map, *def, limits};
  std::vector<range_batch> batches;
  for (uint64_t i = 0; i < 200; ++i) {
    batch_operation op;
    op.key = {std::string{"pk-"} + std::to_string(i % 37)};
    op.resource_body =
        R"({"id":")" + std::to_string(i) + R"(","pk":"pk-)" + std::to_string(i % 37) + R"("})";
    auto done = batcher.add(op, i);
    REQUIRE(done);
    batches.insert(batches.end(), done->begin(), done->end());
  }
  CHECK(batcher.pending_operations() == 200 - 10 * batches.size());
  auto rest = batcher.flush();
  batches.insert(batches.end(), rest.begin(), rest.end());
  CHECK(batcher.pending_operations() == 0);
  size_t total = 0;
  std::set<std::string> used;
  for (const auto& b : batches) {
    CHECK(b.body.operations() <= 10);
    used.insert(b.range_id);
    for (auto tag : b.body.tags) {
      partition_key key{std::string{"pk-"} + std::to_string(tag % 37)};
      auto expected = map->route(epk_v2(key));
      REQUIRE(expected);
      CHECK(expected->id == b.range_id);
      ++total;
    }
  }
  CHECK(total == 200);
  CHECK(used.size() == 4);

  batch_operation wrong_arity;
  wrong_arity.key = {std::string{"a"}, std::string{"b"}};
  wrong_arity.resource_body = "{}";
  auto refused = batcher.add(wrong_arity, 999);
  REQUIRE_FALSE(refused);
  CHECK(render(refused.error()) == "invalid_argument: the partition key has 2 components; the "
                                   "container has 1 path(s)");
  batch_operation no_id{operation_type::read, "", {std::string{"a"}}, "", ""};
  CHECK(render(batcher.add(no_id, 1).error()) ==
        "invalid_argument: invalid Read operation: it needs an id");
}
