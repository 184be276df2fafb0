#pragma once

// The warning for a daemon config that holds a secret as a literal value while other users may
// read the file (mode o+r): account keys, connection strings, client secrets and the admin token
// belong in `${credential:NAME}` (systemd credentials), `${env:NAME}` or `${file:PATH}`, or the
// file must be 0600/0640. Secrets of accounts and vaults whose endpoint is a loopback address are
// left out: those are development setups against a local emulator (the shipped dev profile holds
// the emulator's published key), not secrets worth a warning.

#include "jobs/diagnostic.hpp"

#include <string>
#include <string_view>
#include <sys/types.h>

namespace bulkd {

/// Warnings for `yaml` (the text of `file`) given the file's permission bits. None when others
/// cannot read the file, or when the text does not parse (the loader reports that).
diagnostics literal_secret_warnings(const std::string& file, std::string_view yaml, mode_t mode);

} // namespace bulkd
