#include "jobs/daemon_config.hpp"

#include <filesystem>

namespace bulkd {

std::string daemon_config::resolve_path(const std::string& path) const {
  std::filesystem::path p{path};
  if (p.is_absolute() || origin.file.empty())
    return path;
  return (std::filesystem::path{origin.file}.parent_path() / p).lexically_normal().string();
}

std::string daemon_config::resolve_job_path(const std::string& path) const {
  std::filesystem::path p{path};
  if (p.is_absolute())
    return path;
  return (std::filesystem::path{resolve_path(state_dir)} / p).lexically_normal().string();
}

} // namespace bulkd
