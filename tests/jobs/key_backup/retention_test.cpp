#include "jobs/key_backup/backup_set_writer.hpp"
#include "jobs/key_backup/retention.hpp"
#include "tests/jobs/key_backup/key_backup_test_support.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::key_backup;

namespace {

namespace fs = std::filesystem;

// Writes a set started at `when`; `finish` false leaves it incomplete (killed run), `failed`
// records a failed key.
fs::path make_set(const fs::path& dest, const char* when, bool finish = true, bool failed = false) {
  auto w =
      backup_set_writer::create({dest, "https://v.vault.azure.net", std::nullopt, test::at(when)});
  REQUIRE(w);
  REQUIRE_FALSE(w->write_key({"k1", {"v1"}, "kid", "RSA", {}}, "blob"));
  if (failed)
    REQUIRE_FALSE(w->fail({"k2", "timeout"}));
  if (finish)
    REQUIRE(w->finish(test::at(when)));
  return w->directory();
}

std::vector<std::string> names(const std::vector<set_entry>& v) {
  std::vector<std::string> out;
  for (auto& e : v)
    out.push_back(e.name);
  return out;
}

using strings = std::vector<std::string>;

} // namespace

TEST_CASE("retention keeps the newest complete sets and never touches incomplete ones",
          "[key_backup]") {
  test::temp_dir tmp;
  auto vault = tmp.path / "v.vault.azure.net";
  make_set(tmp.path, "2026-11-01T00:00:00Z");
  make_set(tmp.path, "2026-11-02T00:00:00Z", false); // killed: no manifest
  make_set(tmp.path, "2026-11-03T00:00:00Z");
  make_set(tmp.path, "2026-11-04T00:00:00Z", true, true); // partial
  make_set(tmp.path, "2026-11-05T00:00:00Z");
  make_set(tmp.path, "2026-11-06T00:00:00Z", true, true); // partial, newest finished
  make_set(tmp.path, "2026-11-07T00:00:00Z", false);      // a run in progress
  // Not sets: never listed, never deleted.
  fs::create_directories(vault / "my-notes");
  test::spit(vault / "2026-10-01T00-00-00Z", "a file with a set name");
  fs::create_directory_symlink(tmp.path / "elsewhere", vault / "2026-10-02T00-00-00Z");
  fs::create_directories(tmp.path / "elsewhere");
  test::spit(tmp.path / "elsewhere" / "manifest.json", "{}");

  auto listing = list_backup_sets(vault);
  REQUIRE(listing);
  CHECK(names(listing->sets) == strings{"2026-11-01T00-00-00Z", "2026-11-02T00-00-00Z",
                                        "2026-11-03T00-00-00Z", "2026-11-04T00-00-00Z",
                                        "2026-11-05T00-00-00Z", "2026-11-06T00-00-00Z",
                                        "2026-11-07T00-00-00Z"});
  CHECK(listing->sets[1].state == set_state::incomplete);
  CHECK(listing->sets[1].detail.find("incomplete set: no manifest.json") == 0);
  CHECK(listing->sets[3].state == set_state::partial);
  CHECK(listing->sets[3].detail == "1 key(s) failed");
  CHECK(listing->sets[4].state == set_state::complete);

  auto plan = plan_retention(*listing, 2);
  CHECK(names(plan.keep) == strings{"2026-11-03T00-00-00Z", "2026-11-04T00-00-00Z",
                                    "2026-11-05T00-00-00Z", "2026-11-06T00-00-00Z"});
  CHECK(names(plan.remove) == strings{"2026-11-01T00-00-00Z"});
  CHECK(names(plan.incomplete) == strings{"2026-11-02T00-00-00Z", "2026-11-07T00-00-00Z"});

  auto one = plan_retention(*listing, 1);
  CHECK(names(one.keep) == strings{"2026-11-05T00-00-00Z", "2026-11-06T00-00-00Z"});
  CHECK(names(one.remove) ==
        strings{"2026-11-01T00-00-00Z", "2026-11-03T00-00-00Z", "2026-11-04T00-00-00Z"});

  auto many = plan_retention(*listing, 10); // fewer complete sets than asked: delete nothing
  CHECK(many.remove.empty());

  auto result = apply_retention(one);
  CHECK(result.errors.empty());
  CHECK(result.removed.size() == 3);
  CHECK_FALSE(fs::exists(vault / "2026-11-01T00-00-00Z"));
  CHECK_FALSE(fs::exists(vault / "2026-11-04T00-00-00Z"));
  CHECK(fs::exists(vault / "2026-11-02T00-00-00Z" / "k1.kvbackup")); // incomplete kept
  CHECK(fs::exists(vault / "2026-11-05T00-00-00Z" / "manifest.json"));
  CHECK(fs::exists(vault / "2026-11-07T00-00-00Z"));
  CHECK(fs::exists(vault / "my-notes"));
  CHECK(fs::is_regular_file(vault / "2026-10-01T00-00-00Z"));
  CHECK(fs::exists(tmp.path / "elsewhere" / "manifest.json"));
  auto after = list_backup_sets(vault);
  REQUIRE(after);
  CHECK(after->sets.size() == 4);
}

TEST_CASE("retention finishes an interrupted deletion and skips vanished sets", "[key_backup]") {
  test::temp_dir tmp;
  auto vault = tmp.path / "v.vault.azure.net";
  auto old = make_set(tmp.path, "2026-11-01T00:00:00Z");
  make_set(tmp.path, "2026-11-02T00:00:00Z");
  // A deletion that was interrupted after the rename.
  fs::rename(old, vault / ".deleting-2026-11-01T00-00-00Z");
  fs::create_directories(vault / ".deleting-not-a-set");
  auto listing = list_backup_sets(vault);
  REQUIRE(listing);
  CHECK(listing->sets.size() == 1);
  REQUIRE(listing->leftovers.size() == 1);
  auto plan = plan_retention(*listing, 1);
  CHECK(plan.remove.empty());
  auto result = apply_retention(plan);
  CHECK(result.errors.empty());
  CHECK_FALSE(fs::exists(vault / ".deleting-2026-11-01T00-00-00Z"));
  CHECK(fs::exists(vault / ".deleting-not-a-set"));

  // A planned set that is no longer a directory is not touched.
  retention_plan stale;
  stale.remove.push_back(
      {"2026-11-09T00-00-00Z", vault / "2026-11-09T00-00-00Z", set_state::complete, {}});
  auto r = apply_retention(stale);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0] == "not deleting " + (vault / "2026-11-09T00-00-00Z").string() +
                           ": not a backup set directory");

  auto none = list_backup_sets(tmp.path / "no-such-vault");
  REQUIRE(none);
  CHECK(none->sets.empty());
}
