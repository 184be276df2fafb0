// Random and mutated inputs: the parsers answer with a value or an error, never crash or hang.

#include "clients/identity/challenge.hpp"
#include "clients/identity/form.hpp"
#include "clients/identity/token_response.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace bulkd;
using namespace bulkd::identity;

namespace {

std::string mutate(std::string s, std::mt19937& rng) {
  static constexpr char alphabet[] = "\"\\,= \t=aZ/:%{}[]0\x01\xff";
  std::uniform_int_distribution<int> op(0, 2);
  std::uniform_int_distribution<size_t> ch(0, sizeof(alphabet) - 2);
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    size_t pos = s.empty() ? 0 : rng() % s.size();
    switch (op(rng)) {
    case 0:
      if (!s.empty())
        s.erase(pos, 1);
      break;
    case 1:
      s.insert(pos, 1, alphabet[ch(rng)]);
      break;
    default:
      if (!s.empty())
        s[pos] = alphabet[ch(rng)];
    }
  }
  return s;
}

} // namespace

TEST_CASE("mutated challenges, forms and token answers", "[identity][garbage]") {
  std::mt19937 rng{20261121};
  const std::string challenge =
      R"(Bearer authorization="https://login.windows.net/t", resource="https://vault.azure.net", error="insufficient_claims", claims="e30=")";
  const std::string form = "grant_type=client_credentials&client_id=a%20b&scope=x";
  const std::string body =
      R"({"access_token":"a","expires_in":"3599","expires_on":1800003599,"token_type":"Bearer"})";
  http_request sent;
  sent.body = "client_secret=abcd";
  http_response resp;
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    auto c = parse_bearer_challenge(mutate(challenge, rng));
    if (c) {
      ++parsed;
      CHECK_FALSE(c->tenant.empty());
      CHECK_FALSE(c->scope.empty());
    }
    (void)form_decode(mutate(form, rng));
    resp.status = i % 3 == 0 ? 400 : 200;
    resp.body = mutate(body, rng);
    auto t = parse_token_response("test", sent, resp,
                                  std::chrono::sys_seconds{std::chrono::seconds{1'800'000'000}});
    if (t) {
      CHECK_FALSE(t->value.empty());
      CHECK(t->expires_on > t->obtained);
    }
  }
  CHECK(parsed > 0);
}
