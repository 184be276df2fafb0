#include "clients/cosmos/rid.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

using namespace bulkd::cosmos;

TEST_CASE("RIDs encode as the reference's examples", "[cosmos][rid]") {
  CHECK(to_string(database_rid(1)) == "AQAAAA==");
  CHECK(to_string(collection_rid(1, 1)) == "AQAAAIEAAAA=");
  CHECK(to_string(child_rid(1, 1, rid_child_type::document, 1)) == "AQAAAIEAAAABAAAAAAAAAA==");
  CHECK(to_string(child_rid(1, 1, rid_child_type::partition_key_range, 1)) ==
        "AQAAAIEAAAABAAAAAAAAUA==");
}

TEST_CASE("the reference's real pkrange RID decodes", "[cosmos][rid]") {
  auto rid = parse_rid("3FIlAOzjvygCAAAAAAAAUA==");
  REQUIRE(rid);
  CHECK(rid->kind == rid_kind::child);
  CHECK(rid->child_type() == rid_child_type::partition_key_range);
  CHECK(rid->child_id() == 2);
  CHECK(rid->database == 0x002552DCu);
  CHECK((rid->collection & 0x80) != 0);
  CHECK(to_string(*rid) == "3FIlAOzjvygCAAAAAAAAUA==");
  auto coll = parse_rid("3FIlAOzjvyg=");
  REQUIRE(coll);
  CHECK(coll->kind == rid_kind::collection);
  CHECK(coll->database == rid->database);
  CHECK(coll->collection == rid->collection);
  auto db = parse_rid("3FIlAA==");
  REQUIRE(db);
  CHECK(db->kind == rid_kind::database);
  CHECK(db->database == rid->database);
}

TEST_CASE("RIDs round-trip", "[cosmos][rid]") {
  const resource_id samples[] = {
      database_rid(0),
      database_rid(0xFFFFFFFF),
      database_rid(0xFBFFFFFF), // base64 would contain '/', encoded as '-'
      collection_rid(7, 0x12345678),
      child_rid(0xDEADBEEF, 3, rid_child_type::document, 0x0FFFFFFFFFFFFFFFULL),
      child_rid(9, 9, rid_child_type::conflict, 42),
      child_rid(9, 9, rid_child_type::user_defined_function, 42),
      child_rid(9, 9, rid_child_type::trigger, 42),
      child_rid(9, 9, rid_child_type::stored_procedure, 42),
      child_rid(9, 9, rid_child_type::schema, 42),
      resource_id{rid_kind::user, 5, 0x01020304, 0},
      resource_id{rid_kind::permission, 5, 0x01020304, 77},
  };
  for (const auto& rid : samples) {
    auto text = to_string(rid);
    INFO(text);
    CHECK(text.find('/') == std::string::npos);
    auto back = parse_rid(text);
    REQUIRE(back);
    CHECK(*back == rid);
  }
  CHECK(to_string(database_rid(0xFBFFFFFF)) == "----+w==");
}

TEST_CASE("database RIDs tell RID-based from name-based paths", "[cosmos][rid]") {
  CHECK(is_database_rid("AQAAAA=="));
  CHECK(is_database_rid("3FIlAA=="));
  CHECK_FALSE(is_database_rid("db1"));
  CHECK_FALSE(is_database_rid("mydb"));         // decodes to 3 bytes
  CHECK_FALSE(is_database_rid("AQAAAIEAAAA=")); // a collection
  CHECK_FALSE(is_database_rid("my database"));
}

TEST_CASE("bad RIDs are refused with a reason", "[cosmos][rid]") {
  auto reason = [](std::string_view text) {
    auto rid = parse_rid(text);
    REQUIRE_FALSE(rid);
    return bulkd::render(rid.error());
  };
  CHECK(reason("abc") == "parse_error: invalid RID 'abc': base64 length 3 is not a multiple of 4");
  CHECK(reason("AQAA") == "parse_error: invalid RID 'AQAA': 3 bytes (expected 4, 8 or 16)");
  CHECK(reason("AQ$AAA==") == "parse_error: invalid RID 'AQ$AAA==': invalid base64 character at "
                              "offset 2");
  CHECK(reason("AQAAAIEAAAABAAAAAAAAMA==") == "parse_error: invalid RID "
                                              "'AQAAAIEAAAABAAAAAAAAMA==': unknown child type 3");
}

TEST_CASE("collection words are distinct for distinct numbers", "[cosmos][rid]") {
  // Regression: collection_word used to OR the 0x80 marker into the number, so 1 and 129 (and
  // every n and n | 0x80) gave the same RID.
  CHECK(collection_word(1) == 0x81);
  CHECK(collection_word(129) != collection_word(1));
  CHECK(to_string(collection_rid(1, 129)) != to_string(collection_rid(1, 1)));
  for (uint32_t n : {0u, 1u, 127u, 128u, 129u, 255u, 256u, 40000u, 0x12345678u, 0x7FFFFFFFu}) {
    INFO(n);
    CHECK((collection_word(n) & 0x80u) == 0x80u);
    CHECK(collection_number_of(collection_word(n)) == n);
  }
}
