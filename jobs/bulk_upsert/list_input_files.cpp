#include "clients/error.hpp"
#include "jobs/bulk_upsert/record_reader.hpp"
#include "jobs/glob.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace bulkd {

namespace {

namespace fs = std::filesystem;

// A segment without wildcards, with its backslash escapes removed.
std::string unescape_segment(std::string_view segment) {
  std::string out;
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '\\' && i + 1 < segment.size())
      ++i;
    out += segment[i];
  }
  return out;
}

std::vector<std::string> split_path(std::string_view pattern) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    auto slash = pattern.find('/', start);
    parts.emplace_back(pattern.substr(start, slash - start));
    if (slash == std::string_view::npos)
      return parts;
    start = slash + 1;
  }
}

std::string join(const std::string& dir, const std::string& name) {
  if (dir.empty())
    return name;
  if (dir.back() == '/')
    return dir + name;
  return dir + "/" + name;
}

} // namespace

caf::expected<std::vector<std::string>> list_input_files(const input_source& source) {
  auto whole = glob_pattern::parse(source.path);
  if (!whole)
    return std::move(whole.error());
  auto parts = split_path(source.path);
  // Candidates so far: directory prefixes matched by the segments before.
  std::vector<std::string> current{source.path.front() == '/' ? "/" : ""};
  size_t first = source.path.front() == '/' ? 1 : 0;
  for (size_t k = first; k < parts.size(); ++k) {
    const auto& part = parts[k];
    bool last = k + 1 == parts.size();
    std::vector<std::string> next;
    if (part.empty())
      continue; // "a//b"
    auto segment = glob_pattern::parse(part);
    if (!segment)
      return std::move(segment.error());
    for (const auto& dir : current) {
      if (!segment->has_wildcards()) {
        next.push_back(join(dir, unescape_segment(part)));
        continue;
      }
      std::error_code ec;
      fs::directory_iterator it{dir.empty() ? fs::path{"."} : fs::path{dir}, ec};
      if (ec)
        continue;
      for (const auto& entry : it) {
        auto name = entry.path().filename().string();
        if (name.front() == '.' && part.front() != '.')
          continue; // like a shell, wildcards do not match hidden files
        if (segment->matches(name, true))
          next.push_back(join(dir, name));
      }
    }
    if (last) {
      std::vector<std::string> files;
      for (auto& path : next) {
        std::error_code ec;
        if (fs::is_regular_file(path, ec))
          files.push_back(std::move(path));
      }
      current = std::move(files);
    } else {
      std::vector<std::string> dirs;
      for (auto& path : next) {
        std::error_code ec;
        if (fs::is_directory(path, ec))
          dirs.push_back(std::move(path));
      }
      current = std::move(dirs);
    }
  }
  std::erase_if(current, [](const std::string& path) {
    std::error_code ec;
    return path.empty() || !fs::is_regular_file(path, ec); // "dir/" names no file
  });
  if (current.empty())
    return make_error(ec::invalid_argument, "no input file matches \"" + source.path + "\"");
  std::sort(current.begin(), current.end());
  return current;
}

} // namespace bulkd
