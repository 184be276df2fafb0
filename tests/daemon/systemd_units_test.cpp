// Checks the shipped systemd files with systemd's own tools: systemd-analyze verify for the units,
// systemd-sysusers and systemd-tmpfiles (into a temporary root) for sysusers.d and tmpfiles.d.

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
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

const fs::path systemd_dir = fs::path{BULKD_SOURCE_DIR} / "systemd";
const std::vector<std::string> units = {"bulkd.service", "bulkd-run@.service", "bulkd-run@.timer"};

std::string read_file(const fs::path& path) {
  std::ifstream in{path};
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out{path};
  REQUIRE(out);
  out << text;
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

bool have_tool(const std::string& name) {
  return run("command -v " + name).exit_code == 0;
}

struct temp_dir {
  temp_dir() {
    char tmpl[] = "/tmp/bulkd-units-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

// An executable that exists, for ExecStart=: the built bulkd, else this test binary.
std::string existing_binary() {
  if (fs::exists(BULKD_BINARY))
    return BULKD_BINARY;
  WARN("bulkd is not built (" BULKD_BINARY "); ExecStart= points at the test binary instead");
  return fs::read_symlink("/proc/self/exe").string();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

// Copies the units to `dir` with /usr/bin/bulkd replaced, runs verify and returns the lines about
// the units (other lines can come from the host's own units).
std::vector<std::string> verify_copies(const fs::path& dir, int& exit_code,
                                       const std::string& extra_service_line = {}) {
  auto binary = existing_binary();
  std::string args;
  for (const auto& unit : units) {
    auto text = read_file(systemd_dir / unit);
    if (unit.ends_with(".service"))
      REQUIRE(text.find("/usr/bin/bulkd ") != std::string::npos);
    text = replace_all(text, "/usr/bin/bulkd ", binary + " ");
    if (!extra_service_line.empty() && unit == "bulkd.service")
      text = replace_all(text, "[Service]\n", "[Service]\n" + extra_service_line + "\n");
    write_file(dir / unit, text);
    args += " '" + (dir / unit).string() + "'";
  }
  auto res = run("systemd-analyze verify --man=no" + args);
  UNSCOPED_INFO("systemd-analyze verify output:\n" << res.output);
  exit_code = res.exit_code;
  std::vector<std::string> problems;
  std::istringstream lines{res.output};
  for (std::string line; std::getline(lines, line);)
    if (line.find("bulkd") != std::string::npos)
      problems.push_back(line);
  return problems;
}

// The key=value lines of one section, values of repeated keys joined with '\n'.
std::map<std::string, std::string> section(const std::string& text, const std::string& name) {
  std::map<std::string, std::string> result;
  std::istringstream in{text};
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("["))
      inside = line == "[" + name + "]";
    else if (inside && !line.empty() && line[0] != '#') {
      auto eq = line.find('=');
      REQUIRE(eq != std::string::npos);
      auto& v = result[line.substr(0, eq)];
      v += (v.empty() ? "" : "\n") + line.substr(eq + 1);
    }
  }
  return result;
}

} // namespace

TEST_CASE("systemd-analyze verify accepts the units", "[systemd]") {
  if (!have_tool("systemd-analyze")) {
    WARN("systemd-analyze not found; the units are not verified");
    return;
  }
  temp_dir dir;
  int exit_code = -1;
  auto problems = verify_copies(dir.path, exit_code);
  CHECK(exit_code == 0);
  CHECK(problems.empty());
}

TEST_CASE("the verify check catches a broken unit", "[systemd]") {
  if (!have_tool("systemd-analyze")) {
    WARN("systemd-analyze not found; the units are not verified");
    return;
  }
  temp_dir dir;
  int exit_code = -1;
  auto problems = verify_copies(dir.path, exit_code, "ProtectSystem=maybe\nBogusKey=1");
  REQUIRE(problems.size() == 2);
  CHECK_THAT(problems[0], Catch::Contains("Failed to parse protect system value, ignoring: maybe"));
  CHECK_THAT(problems[1], Catch::Contains("Unknown key 'BogusKey' in section [Service]"));
}

TEST_CASE("the units carry the settings the daemon relies on", "[systemd]") {
  auto service = section(read_file(systemd_dir / "bulkd.service"), "Service");
  CHECK(service["Type"] == "notify");
  CHECK(service["NotifyAccess"] == "main");
  CHECK(service["ExecStart"] == "/usr/bin/bulkd serve --config /etc/bulkd/bulkd.yaml");
  CHECK(service["ExecReload"] ==
        "/usr/bin/bulkd validate /etc/bulkd/bulkd.yaml\n"
        "/bin/kill -HUP $MAINPID");
  CHECK(service["WatchdogSec"] == "30s");
  CHECK(service["User"] == "bulkd");
  CHECK(service["StateDirectory"] == "bulkd");
  CHECK(service["ConfigurationDirectory"] == "bulkd");
  CHECK(service["RuntimeDirectory"] == "bulkd");
  CHECK(service["UMask"] == "0077");
  auto run = section(read_file(systemd_dir / "bulkd-run@.service"), "Service");
  CHECK(run["Type"] == "oneshot");
  CHECK(run["ExecStart"] ==
        "/usr/bin/bulkd run --config /etc/bulkd/bulkd.yaml /etc/bulkd/jobs.d/%i.yaml");
  for (const auto* unit : {&service, &run}) {
    for (const char* key :
         {"ProtectSystem=strict", "ProtectHome=true", "PrivateTmp=true", "PrivateDevices=true",
          "NoNewPrivileges=true", "ProtectKernelTunables=true", "ProtectKernelModules=true",
          "ProtectKernelLogs=true", "ProtectControlGroups=true",
          "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "RestrictNamespaces=true",
          "LockPersonality=true", "MemoryDenyWriteExecute=true",
          "CapabilityBoundingSet=", "User=bulkd", "Group=bulkd", "UMask=0077"}) {
      std::string k{key};
      auto eq = k.find('=');
      INFO(k);
      CHECK(unit->at(k.substr(0, eq)) == k.substr(eq + 1));
    }
    CHECK_THAT(unit->at("SystemCallFilter"), Catch::StartsWith("@system-service"));
  }
  auto timer = section(read_file(systemd_dir / "bulkd-run@.timer"), "Timer");
  CHECK(timer["Persistent"] == "true");
  CHECK_FALSE(timer["OnCalendar"].empty());
}

TEST_CASE("sysusers.d and tmpfiles.d create the user and directories", "[systemd]") {
  if (!have_tool("systemd-sysusers") || !have_tool("systemd-tmpfiles")) {
    WARN("systemd-sysusers or systemd-tmpfiles not found; not checked");
    return;
  }
  if (::geteuid() != 0) {
    WARN("not root: systemd-tmpfiles cannot chown; sysusers.d and tmpfiles.d not checked");
    return;
  }
  temp_dir root;
  fs::create_directories(root.path / "etc");
  auto sysusers = run("systemd-sysusers --root='" + root.path.string() + "' '" +
                      (systemd_dir / "sysusers.d/bulkd.conf").string() + "'");
  INFO(sysusers.output);
  REQUIRE(sysusers.exit_code == 0);
  auto passwd = read_file(root.path / "etc/passwd");
  CHECK_THAT(passwd, Catch::Contains(":/var/lib/bulkd:/usr/sbin/nologin"));
  REQUIRE(passwd.starts_with("bulkd:x:"));
  auto uid = static_cast<uid_t>(std::stoul(passwd.substr(8)));
  auto tmpfiles = run("systemd-tmpfiles --root='" + root.path.string() + "' --create '" +
                      (systemd_dir / "tmpfiles.d/bulkd.conf").string() + "'");
  INFO(tmpfiles.output);
  REQUIRE(tmpfiles.exit_code == 0);
  auto check_dir = [&](const char* rel, mode_t mode, uid_t owner, bool bulkd_group) {
    INFO(rel);
    struct stat st {};
    REQUIRE(::stat((root.path / rel).c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & 07777) == mode);
    CHECK(st.st_uid == owner);
    CHECK((st.st_gid != 0) == bulkd_group);
  };
  check_dir("etc/bulkd", 0750, 0, true);
  check_dir("etc/bulkd/jobs.d", 0750, 0, true);
  check_dir("etc/bulkd/credentials", 0700, 0, false);
  check_dir("var/lib/bulkd", 0700, uid, true);
}
