#pragma once

// TLS settings of an account or vault connection.

#include <string>

namespace bulkd {

struct tls_options {
  std::string ca_file;               // extra CA bundle (PEM); empty = system store
  bool insecure_skip_verify = false; // development only

  friend bool operator==(const tls_options&, const tls_options&) = default;
};

} // namespace bulkd
