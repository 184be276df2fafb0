#pragma once

// Internal to the loaders: readers of the parts of specs, shared by the per-kind loaders.

#include "jobs/daemon_config.hpp"
#include "jobs/job_spec.hpp"
#include "jobs/yaml_reader.hpp"

namespace bulkd::detail {

enum class ref_kind { account, vault };

/// Reports a reference to an account or vault that `config` does not define (no check without a
/// config).
void check_reference(yaml::reader& r, const YAML::Node& node, const std::string& path,
                     const std::string& name, ref_kind kind, const daemon_config* config);

/// Reads account, database and container (all required) of the map into `out`.
void read_container_ref(yaml::map_reader& m, container_ref& out, const daemon_config* config);

/// Reads `key` (a map of max_attempts, initial_backoff, max_backoff) into `out` when present.
void read_retry(yaml::map_reader& parent, std::string_view key, retry_policy& out);

void read_dead_letter(yaml::map_reader& parent, dead_letter_spec& out);

void read_tls(yaml::map_reader& parent, tls_options& out);

void read_credential(yaml::map_reader& parent, credential_spec& out, bool required);

/// Checks a glob with glob_pattern::parse; reports the parser's reason.
void check_glob(yaml::reader& r, const YAML::Node& node, const std::string& path,
                const std::string& pattern);

/// Checks that `node` is a JSON pointer ("/a/b"), reports otherwise.
bool check_json_pointer(yaml::reader& r, const YAML::Node& node, const std::string& path,
                        const std::string& pointer);

void read_bulk_upsert(yaml::map_reader& root, bulk_upsert_spec& out, const daemon_config* config);
void read_change_feed(yaml::map_reader& root, change_feed_spec& out, const daemon_config* config);
void read_key_backup(yaml::map_reader& root, key_backup_spec& out, const daemon_config* config);

/// A YAML parser exception as a diagnostic with its position.
diagnostic syntax_error(const std::string& file, const YAML::Exception& e);

/// The content of a file, or nullopt after adding a diagnostic.
std::optional<std::string> read_spec_file(const std::string& path, diagnostics& out);

/// Orders diagnostics by line and column (stable: positionless ones first, in report order).
void sort_by_position(diagnostics& ds);

/// Reads a whole bulkd.yaml document.
void read_daemon_config(yaml::map_reader& root, daemon_config& out);

} // namespace bulkd::detail
