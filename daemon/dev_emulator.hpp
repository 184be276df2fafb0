#pragma once

// The emulator (Cosmos DB, Key Vault and the identity endpoint on one port) started inside the
// bulkd process, for `serve --dev` and `run --dev`. In memory unless given a data directory.

#include "jobs/daemon_config.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace bulkd {

struct dev_emulator_options {
  std::string bind = "127.0.0.1";
  uint16_t port = 0;    // 0: any free port
  std::string data_dir; // empty: in memory (lost at exit)
  unsigned ranges = 1;
};

class dev_emulator {
public:
  struct parts; // the emulator's stores, identity and server

  /// Starts it; the caller must have blocked the shutdown signals already, because the server's
  /// threads inherit the mask.
  static caf::expected<std::unique_ptr<dev_emulator>> start(const dev_emulator_options& opts);

  ~dev_emulator(); // stop()

  /// Finishes the requests in flight and stops. Idempotent.
  void stop();

  uint16_t port() const;

  /// "http://127.0.0.1:PORT" (no trailing slash).
  const std::string& url() const;

  dev_emulator(const dev_emulator&) = delete;
  dev_emulator& operator=(const dev_emulator&) = delete;

private:
  explicit dev_emulator(std::unique_ptr<parts> p);
  std::unique_ptr<parts> parts_;
};

/// The port the development profile expects the emulator on: that of its `dev` account's endpoint
/// (else the first account's, else the first vault's); 0 when the URL gives none or port 0.
/// An error when the config names no endpoint at all.
caf::expected<uint16_t> dev_profile_port(const daemon_config& config);

/// Points every account endpoint, vault URL and client-secret authority of `config` at `url`
/// (the emulator serves all three on one port).
void point_at_emulator(daemon_config& config, const std::string& url);

/// For `bulkd CMD --dev`: starts the emulator in memory where the profile's endpoints point (their
/// port; a URL without one: any free port; 4 ranges per new container) and points `config` at
/// the bound port. With `fresh_state` (the shipped profile, not a --config of the user's), the
/// state dir becomes a new private temporary directory: checkpoints and leases of an earlier
/// emulator's data would not match this one's, and the examples directory may be read-only.
/// Null after printing why on stderr (a taken port is named). Block the shutdown signals first.
std::unique_ptr<dev_emulator> start_dev_emulator(const std::string& command, daemon_config& config,
                                                 bool fresh_state);

/// The development profile: `--config` when given (not the default path), else
/// BULKD_EXAMPLES_DIR/dev/bulkd.yaml, else /usr/share/bulkd/examples/dev/bulkd.yaml.
std::string dev_config_path(const std::string& given);

} // namespace bulkd
