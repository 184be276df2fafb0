#pragma once

// TLS settings of one endpoint (an account, a vault, a sink); from `tls:` in bulkd.yaml.

#include <caf/meta/type_name.hpp>

#include <string>

namespace bulkd {

struct tls_options {
  /// PEM file with the CA certificates to trust; empty = the system's trust store.
  std::string ca_file;
  /// Accept any server certificate. For development endpoints only.
  bool insecure_skip_verify = false;

  friend bool operator==(const tls_options&, const tls_options&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tls_options& x) {
  return f(caf::meta::type_name("tls_options"), x.ca_file, x.insecure_skip_verify);
}

} // namespace bulkd
