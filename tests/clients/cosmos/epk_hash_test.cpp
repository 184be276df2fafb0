#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/murmur_hash.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>

using namespace bulkd::cosmos;

namespace {

struct epk_vector {
  const char* name;
  pk_value value;
  const char* v2;
  std::string v1; // empty: the reference has no V1 value for this row
};

// cosmos-wire.md §4.6, every row.
const epk_vector epk_vectors[] = {
    {"\"\"", std::string{}, "32E9366E637A71B4E710384B2F4970A0", "05C1CF33970FF80800"},
    {"\"partitionKey\"", std::string{"partitionKey"}, "013AEFCF77FA271571CF665A58C933F1",
     "05C1E1B3D9CD2608716273756A756A706F4C667A00"},
    {"\"a\" x 1024", std::string(1024, 'a'), "332BDF5512AE49615F32C7D98C2DB86C",
     "05C1EB5921F70608" +
         [] {
           std::string s;
           for (int i = 0; i < 100; ++i)
             s += "62";
           return s;
         }() +
         "00"},
    {"null", nullptr, "378867E4430E67857ACE5C908374FE16", "05C1ED45D7475601"},
    {"true", true, "0E711127C5B5A8E4726AC6DD306A3E59", "05C1D7C5A903D803"},
    {"false", false, "2FE1BE91E90A3439635E0E9E37361EF2", "05C1DB857D857C02"},
    {"-128", -128.0, "01DAEDABF913540367FE219B2AD06148", "05C1D73349F54C053FA0"},
    {"127", 127.0, "0C507ACAC853ECA7977BF4CEFB562A25", "05C1DD539DDFCC05C05FE0"},
    {"(double)i64::MIN", static_cast<double>(std::numeric_limits<int64_t>::min()),
     "23D5C6395512BDFEAFADAD15328AD2BB", "05C1DB35F33D1C053C20"},
    {"(double)i64::MAX", static_cast<double>(std::numeric_limits<int64_t>::max()),
     "2EDB959178DFCCA18983F89384D1629B", "05C1B799AB2DD005C3E0"},
    {"(double)i32::MIN", static_cast<double>(std::numeric_limits<int32_t>::min()),
     "0B1660D5233C3171725B30D4A5F4CC1F", "05C1DFBF252BCC053E20"},
    {"(double)i32::MAX", static_cast<double>(std::numeric_limits<int32_t>::max()),
     "2D9349D64712AEB5EB1406E2F0BE2725", "05C1E1F503DFB205C1DFFFFFFFFC"},
    {"smallest subnormal", std::bit_cast<double>(uint64_t{1}), "0E6CBA63A280927DE485DEF865800139",
     "05C1E5C91F4D3005800101010101010102"},
    {"f64::MAX", std::numeric_limits<double>::max(), "31424D996457102634591FF245DBCC4D",
     "05C1CBE367C53005FFEFFFFFFFFFFFFFFE"},
    {"5.0", 5.0, "19C08621B135968252FB34B4CF66F811", ""},
    {"5.123124190509124", 5.123124190509124, "0EF2E2D82460884AF0F6440BE4F726A8", ""},
    {"\"redmond\"", std::string{"redmond"}, "22E342F38A486A088463DFF7838A5963", ""},
    {"undefined {}", pk_undefined{}, "11622DAA78F835834610ABE56EFF5CB5", ""},
};

partition_key_definition definition(partition_kind kind, int version, size_t paths) {
  partition_key_definition def;
  def.kind = kind;
  def.version = version;
  for (size_t i = 0; i < paths; ++i)
    def.paths.push_back("/p" + std::to_string(i));
  return def;
}

} // namespace

TEST_CASE("every V2 EPK vector of the reference", "[cosmos][epk][vectors]") {
  size_t passed = 0;
  for (const auto& v : epk_vectors) {
    INFO(v.name);
    auto epk = epk_v2({v.value});
    CHECK(epk == v.v2);
    // A one-level MultiHash key hashes the same.
    CHECK(epk_multi_hash({v.value}) == v.v2);
    if (epk == v.v2)
      ++passed;
  }
  CHECK(passed == 18);
}

TEST_CASE("every V1 EPK vector of the reference", "[cosmos][epk][vectors]") {
  size_t passed = 0;
  size_t rows = 0;
  for (const auto& v : epk_vectors) {
    if (v.v1.empty())
      continue;
    ++rows;
    INFO(v.name);
    auto epk = epk_v1({v.value});
    CHECK(epk == v.v1);
    if (epk == v.v1)
      ++passed;
  }
  CHECK(rows == 14);
  CHECK(passed == 14);
}

TEST_CASE("V2 hashes all components of a Hash key together", "[cosmos][epk][vectors]") {
  CHECK(epk_v2({5.0, std::string{"redmond"}, true, nullptr}) == "3032DECBE2AB1768D8E0AEDEA35881DF");
}

TEST_CASE("MultiHash concatenates one V2 hash per level", "[cosmos][epk][vectors]") {
  CHECK(epk_multi_hash({std::string{"redmond"}, 5.0}) == "22E342F38A486A088463DFF7838A5963"
                                                         "19C08621B135968252FB34B4CF66F811");
  auto def = definition(partition_kind::multi_hash, 2, 2);
  auto full = effective_partition_key({std::string{"redmond"}, 5.0}, def);
  REQUIRE(full);
  CHECK(*full == "22E342F38A486A088463DFF7838A596319C08621B135968252FB34B4CF66F811");
  // A prefix covers [prefix, prefix + "FF").
  auto prefix = epk_range_for({std::string{"redmond"}}, def);
  REQUIRE(prefix);
  CHECK(prefix->min == "22E342F38A486A088463DFF7838A5963");
  CHECK(prefix->max == "22E342F38A486A088463DFF7838A5963FF");
  CHECK_FALSE(prefix->max_inclusive);
  CHECK(prefix->contains(*full));
  auto other = effective_partition_key({std::string{"seattle"}, 5.0}, def);
  REQUIRE(other);
  CHECK_FALSE(prefix->contains(*other));
}

TEST_CASE("the container definition picks the hash", "[cosmos][epk]") {
  auto v1 = effective_partition_key({std::string{"partitionKey"}},
                                    definition(partition_kind::hash, 1, 1));
  REQUIRE(v1);
  CHECK(*v1 == "05C1E1B3D9CD2608716273756A756A706F4C667A00");
  auto v2 = effective_partition_key({std::string{"partitionKey"}},
                                    definition(partition_kind::hash, 2, 1));
  REQUIRE(v2);
  CHECK(*v2 == "013AEFCF77FA271571CF665A58C933F1");
  // The empty key is the minimum and its range is everything.
  auto empty = effective_partition_key({}, definition(partition_kind::hash, 2, 1));
  REQUIRE(empty);
  CHECK(empty->empty());
  auto all = epk_range_for({}, definition(partition_kind::hash, 2, 1));
  REQUIRE(all);
  CHECK(*all == epk_range{"", "FF"});
  // A full key is a point.
  auto point = epk_range_for({true}, definition(partition_kind::hash, 2, 1));
  REQUIRE(point);
  CHECK(*point ==
        epk_range{"0E711127C5B5A8E4726AC6DD306A3E59", "0E711127C5B5A8E4726AC6DD306A3E59", true});
  CHECK(point->contains("0E711127C5B5A8E4726AC6DD306A3E59"));
}

TEST_CASE("keys with the wrong number of components are refused", "[cosmos][epk]") {
  auto hash = effective_partition_key({1.0, 2.0}, definition(partition_kind::hash, 2, 1));
  REQUIRE_FALSE(hash);
  CHECK(bulkd::render(hash.error()) ==
        "invalid_argument: the partition key has 2 components; the container has 1 path(s)");
  auto multi =
      effective_partition_key({1.0, 2.0, 3.0}, definition(partition_kind::multi_hash, 2, 2));
  REQUIRE_FALSE(multi);
  CHECK(bulkd::render(multi.error()) ==
        "invalid_argument: the partition key has 3 components; the container has only 2 "
        "level(s)");
}

TEST_CASE("V1 cuts strings at 100 UTF-16 code units", "[cosmos][epk]") {
  // Beyond 100 characters nothing changes the EPK.
  CHECK(epk_v1({std::string(100, 'a') + "x"}) == epk_v1({std::string(100, 'a') + "y"}));
  CHECK(epk_v1({std::string(99, 'a') + "x"}) != epk_v1({std::string(99, 'a') + "y"}));
  // V2 hashes the whole string.
  CHECK(epk_v2({std::string(100, 'a') + "x"}) != epk_v2({std::string(100, 'a') + "y"}));
  // 100 two-byte characters are 200 UTF-8 bytes: the binary encoding writes 101 of them and no
  // terminator (.NET's rule).
  std::string e_acute;
  for (int i = 0; i < 100; ++i)
    e_acute += "\xC3\xA9";
  auto long_epk = epk_v1({e_acute});
  std::string tail = "08";
  for (int i = 0; i < 50; ++i)
    tail += "C4AA";
  tail += "C4";
  REQUIRE(long_epk.size() > tail.size());
  CHECK(long_epk.substr(long_epk.size() - tail.size()) == tail);
  CHECK(long_epk.substr(0, 2) == "05");
  // An astral character straddling the cut leaves half a surrogate pair, which becomes U+FFFD.
  auto straddle = std::string(99, 'a') + "\xF0\x9F\x98\x80";
  auto replaced = std::string(99, 'a') + "\xEF\xBF\xBD";
  CHECK(epk_v1({straddle}) == epk_v1({replaced}));
}

TEST_CASE("murmur3 basics", "[cosmos][epk]") {
  CHECK(murmur3_x86_32({}, 0) == 0u);
  auto empty = murmur3_x64_128({}, 0);
  CHECK(empty.h1 == 0u);
  CHECK(empty.h2 == 0u);
  // Every tail length of the 128-bit variant, cross-checked through V2 vectors above; here the
  // hash must at least depend on each byte.
  std::vector<uint8_t> data(31, 0x61);
  for (size_t n = 1; n <= data.size(); ++n) {
    auto a = murmur3_x64_128({data.data(), n});
    auto changed = data;
    changed[n - 1] ^= 1;
    auto b = murmur3_x64_128({changed.data(), n});
    CHECK((a.h1 != b.h1 || a.h2 != b.h2));
  }
}
