// Builds the Debian package with cpack from the build dir of BULKD_BINARY, unpacks it into a
// throwaway root and checks what an `apt install ./bulkd_*.deb` would put on the system: files,
// modes, conffiles, maintainer scripts, Depends, the units (systemd-analyze verify) and what the
// postinst's systemd-sysusers and systemd-tmpfiles make of the shipped sysusers.d and tmpfiles.d.

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path source_dir{BULKD_SOURCE_DIR};

std::string read_file(const fs::path& path) {
  std::ifstream in{path};
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct command_result {
  int exit_code = -1;
  std::string output; // stdout and stderr
};

command_result run(const std::string& command) {
  command_result result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf;
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
    result.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs `command`, requires exit code 0 and returns its output.
std::string checked(const std::string& command) {
  auto res = run(command);
  INFO(command << "\n" << res.output);
  REQUIRE(res.exit_code == 0);
  return res.output;
}

std::string quote(const fs::path& path) {
  return "'" + path.string() + "'";
}

bool have_tool(const std::string& name) {
  return run("command -v " + name).exit_code == 0;
}

struct temp_dir {
  temp_dir() {
    char tmpl[] = "/tmp/deb-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

struct entry {
  std::string mode;  // as ls prints it: -rwxr-xr-x
  std::string owner; // user/group
};

// `dpkg-deb -c` lines: "drwxr-xr-x root/root 0 2026-01-01 00:00 ./etc/" (symlinks add " -> x").
std::map<std::string, entry> parse_listing(const std::string& listing) {
  std::map<std::string, entry> result;
  std::istringstream lines{listing};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields{line};
    std::string mode, owner, size, date, time, path;
    fields >> mode >> owner >> size >> date >> time >> path;
    INFO(line);
    REQUIRE(path.starts_with("./"));
    path.erase(0, 1);
    if (path.size() > 1 && path.ends_with("/"))
      path.pop_back();
    result[path] = {mode, owner};
  }
  return result;
}

// The value of `Field: value` in `dpkg-deb -f` output.
std::string control_field(const std::string& control, const std::string& field) {
  std::istringstream lines{control};
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(field + ": "))
      return line.substr(field.size() + 2);
  return {};
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

const std::vector<std::string> units = {"bulkd.service", "bulkd-run@.service", "bulkd-run@.timer"};

} // namespace

TEST_CASE("parse_listing reads dpkg-deb -c lines", "[deb]") {
  auto entries = parse_listing("drwxr-x--- root/root         0 2026-11-21 21:23 ./etc/bulkd/\n"
                               "-rwxr-xr-x root/root   5402984 2026-11-21 21:23 ./usr/bin/bulkd\n");
  REQUIRE(entries.size() == 2);
  CHECK(entries.at("/etc/bulkd").mode == "drwxr-x---");
  CHECK(entries.at("/usr/bin/bulkd").mode == "-rwxr-xr-x");
  CHECK(entries.at("/usr/bin/bulkd").owner == "root/root");
  CHECK(control_field("Package: bulkd\nVersion: 1.2\n", "Version") == "1.2");
  CHECK(control_field("Package: bulkd\n", "Depends").empty());
}

TEST_CASE("cpack -G DEB builds a package with the binary, units, sysusers/tmpfiles and config",
          "[deb][systemd]") {
  if (!have_tool("cpack") || !have_tool("dpkg-deb")) {
    WARN("cpack or dpkg-deb not found; the Debian package is not built");
    return;
  }
  const fs::path binary{BULKD_BINARY};
  const auto build_dir = binary.parent_path();
  INFO("build the bulkd target first; cpack packages the built binary");
  REQUIRE(fs::exists(binary));
  REQUIRE(fs::exists(build_dir / "CPackConfig.cmake"));

  // Into a temporary package dir, so the build dir keeps no half-written .deb of the test.
  temp_dir out;
  checked("cd " + quote(out.path) + " && cpack -G DEB --config " +
          quote(build_dir / "CPackConfig.cmake") + " -B " + quote(out.path));
  auto arch = checked("dpkg --print-architecture");
  arch.erase(arch.find_last_not_of('\n') + 1);
  const auto deb = out.path / ("bulkd_" BULKD_VERSION "_" + arch + ".deb");
  INFO(deb);
  REQUIRE(fs::exists(deb));

  // Control fields: name, version from the project, dependencies from dpkg-shlibdeps plus the
  // tools of the postinst.
  {
    auto control = checked("dpkg-deb -f " + quote(deb));
    INFO(control);
    CHECK(control_field(control, "Package") == "bulkd");
    CHECK(control_field(control, "Version") == BULKD_VERSION);
    CHECK(control_field(control, "Architecture") == arch);
    CHECK_FALSE(control_field(control, "Maintainer").empty());
    auto depends = control_field(control, "Depends");
    for (const char* dep :
         {"systemd | systemd-standalone-sysusers", "libcaf-core0.17", "libyaml-cpp0.7", "libssl3",
          "libsqlite3-0", "libcpp-httplib0.11", "libspdlog1.10", "zlib1g", "libc6", "libstdc++6"}) {
      INFO(dep);
      CHECK_THAT(depends, Catch::Contains(dep));
    }
  }

  // Every file with its mode; all owned by root; nothing else in the package.
  auto entries = parse_listing(checked("dpkg-deb -c " + quote(deb)));
  const std::map<std::string, std::string> expected = {
      {"/usr/bin/bulkd", "-rwxr-xr-x"},
      {"/lib/systemd/system/bulkd.service", "-rw-r--r--"},
      {"/lib/systemd/system/bulkd-run@.service", "-rw-r--r--"},
      {"/lib/systemd/system/bulkd-run@.timer", "-rw-r--r--"},
      {"/usr/lib/sysusers.d/bulkd.conf", "-rw-r--r--"},
      {"/usr/lib/tmpfiles.d/bulkd.conf", "-rw-r--r--"},
      {"/etc/bulkd", "drwxr-x---"},
      {"/etc/bulkd/jobs.d", "drwxr-x---"},
      {"/etc/bulkd/bulkd.yaml", "-rw-r--r--"},
      {"/usr/share/bulkd/examples/bulkd.yaml", "-rw-r--r--"},
      {"/usr/share/bulkd/examples/jobs.d/load-products.yaml", "-rw-r--r--"},
      {"/usr/share/bulkd/examples/jobs.d/orders-feed.yaml", "-rw-r--r--"},
      {"/usr/share/bulkd/examples/jobs.d/nightly-keys.yaml", "-rw-r--r--"},
      {"/usr/share/bulkd/examples/dev/bulkd.yaml", "-rw-r--r--"},
      {"/usr/share/doc/bulkd/README.md", "-rw-r--r--"},
  };
  for (const auto& [path, mode] : expected) {
    INFO(path);
    REQUIRE(entries.count(path) == 1);
    CHECK(entries.at(path).mode == mode);
  }
  for (const auto& [path, e] : entries) {
    INFO(path << " " << e.mode << " " << e.owner);
    CHECK(e.owner == "root/root");
    CHECK(e.mode[0] != 'l'); // copies, never links into the build machine
    // Only the expected files, the examples and the directories that lead to them.
    bool known = expected.count(path) == 1 || (path.starts_with("/usr/share/bulkd/examples/") &&
                                               (e.mode[0] == 'd' || path.ends_with(".yaml")) &&
                                               path.find("/state") == std::string::npos);
    if (e.mode[0] == 'd')
      for (const auto& [file, mode] : expected)
        known = known || file.starts_with(path + "/");
    CHECK(known);
    // The examples name accounts that do not exist: they must not become jobs of the daemon.
    CHECK_FALSE(path.starts_with("/etc/bulkd/jobs.d/"));
  }

  // Control archive: bulkd.yaml is a conffile, the maintainer scripts are executable shell.
  const auto control_dir = out.path / "DEBIAN";
  checked("dpkg-deb -e " + quote(deb) + " " + quote(control_dir));
  CHECK(read_file(control_dir / "conffiles") == "/etc/bulkd/bulkd.yaml\n");
  CHECK_THAT(read_file(control_dir / "md5sums"), Catch::Contains(" usr/bin/bulkd\n"));
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    INFO(script);
    REQUIRE(fs::exists(control_dir / script));
    CHECK((mode_of(control_dir / script) & 07777) == 0755);
    CHECK(read_file(control_dir / script).starts_with("#!/bin/sh\n"));
    checked("sh -n " + quote(control_dir / script));
  }
  auto postinst = read_file(control_dir / "postinst");
  CHECK_THAT(postinst, Catch::Contains("systemd-sysusers bulkd.conf"));
  CHECK_THAT(postinst, Catch::Contains("systemd-tmpfiles --create bulkd.conf"));
  CHECK_THAT(postinst, Catch::Contains("daemon-reload"));
  CHECK_THAT(read_file(control_dir / "prerm"), Catch::Contains("systemctl disable bulkd.service"));

  // The unpacked tree: the files are the ones of the source tree, the binary runs.
  const auto root = out.path / "root";
  checked("dpkg -x " + quote(deb) + " " + quote(root));
  CHECK(S_ISREG(mode_of(root / "usr/bin/bulkd")));
  CHECK((mode_of(root / "usr/bin/bulkd") & 07777) == 0755);
  CHECK((mode_of(root / "etc/bulkd") & 07777) == 0750);
  for (const auto& unit : units)
    CHECK(read_file(root / "lib/systemd/system" / unit) ==
          read_file(source_dir / "systemd" / unit));
  CHECK(read_file(root / "usr/lib/sysusers.d/bulkd.conf") ==
        read_file(source_dir / "systemd/sysusers.d/bulkd.conf"));
  CHECK(read_file(root / "usr/lib/tmpfiles.d/bulkd.conf") ==
        read_file(source_dir / "systemd/tmpfiles.d/bulkd.conf"));
  CHECK(read_file(root / "etc/bulkd/bulkd.yaml") == read_file(source_dir / "config/bulkd.yaml"));
  CHECK(checked(quote(root / "usr/bin/bulkd") + " version") == "bulkd " BULKD_VERSION "\n");

  // systemd-analyze verify needs the ExecStart= binaries to exist: the units are verified as
  // copies with /usr/bin/bulkd replaced by the unpacked binary.
  if (have_tool("systemd-analyze")) {
    const auto unit_dir = out.path / "units";
    fs::create_directories(unit_dir);
    std::string args;
    for (const auto& unit : units) {
      auto text = read_file(root / "lib/systemd/system" / unit);
      if (unit.ends_with(".service"))
        REQUIRE(text.find("/usr/bin/bulkd ") != std::string::npos);
      std::ofstream{unit_dir / unit}
          << replace_all(text, "/usr/bin/bulkd ", (root / "usr/bin/bulkd").string() + " ");
      args += " " + quote(unit_dir / unit);
    }
    auto verify = run("systemd-analyze verify --man=no" + args);
    INFO("systemd-analyze verify:\n" << verify.output);
    CHECK(verify.exit_code == 0);
    std::istringstream lines{verify.output};
    for (std::string line; std::getline(lines, line);)
      CHECK(line.find("bulkd") == std::string::npos);
  } else {
    WARN("systemd-analyze not found; the packaged units are not verified");
  }

  // What the postinst does on a real system, in the unpacked root: systemd-sysusers and
  // systemd-tmpfiles with the packaged bulkd.conf files (looked up by name, as in postinst).
  if (!have_tool("systemd-sysusers") || !have_tool("systemd-tmpfiles")) {
    WARN("systemd-sysusers or systemd-tmpfiles not found; the postinst steps are not checked");
    return;
  }
  if (::geteuid() != 0) {
    WARN("not root: systemd-tmpfiles cannot chown; the postinst steps are not checked");
    return;
  }
  checked("systemd-sysusers --root=" + quote(root) + " bulkd.conf");
  checked("systemd-tmpfiles --root=" + quote(root) + " --create bulkd.conf");
  auto passwd = read_file(root / "etc/passwd");
  INFO(passwd);
  REQUIRE(passwd.starts_with("bulkd:x:"));
  CHECK_THAT(passwd, Catch::Contains(":/var/lib/bulkd:/usr/sbin/nologin"));
  auto uid = static_cast<uid_t>(std::stoul(passwd.substr(8)));
  auto group = read_file(root / "etc/group");
  REQUIRE(group.starts_with("bulkd:x:"));
  auto gid = static_cast<gid_t>(std::stoul(group.substr(8)));
  auto check_owned = [&](const char* rel, mode_t mode, uid_t owner, gid_t owner_group) {
    INFO(rel);
    struct stat st {};
    REQUIRE(::stat((root / rel).c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == mode);
    CHECK(st.st_uid == owner);
    CHECK(st.st_gid == owner_group);
  };
  check_owned("etc/bulkd", 0750, 0, gid);
  check_owned("etc/bulkd/jobs.d", 0750, 0, gid);
  check_owned("etc/bulkd/credentials", 0700, 0, 0);
  check_owned("etc/bulkd/bulkd.yaml", 0644, 0, 0);
  check_owned("var/lib/bulkd", 0700, uid, gid);
}
