#pragma once

// The emulator's self-signed TLS certificate: EC P-256, subject "bulkd emulator", subjectAltName
// localhost, 127.0.0.1 and ::1, valid for ten years. Clients trust it by loading the PEM file as a
// CA (httplib set_ca_cert_path, Node's `ca`, NODE_EXTRA_CA_CERTS, curl --cacert).

#include <caf/expected.hpp>

#include <string>

namespace bulkd::emulator {

struct tls_files {
  std::string certificate; // PEM
  std::string private_key; // PEM, mode 0600
};

/// The pair in `dir` (emulator-cert.pem, emulator-key.pem), generated when either is missing.
caf::expected<tls_files> ensure_self_signed_certificate(const std::string& dir);

} // namespace bulkd::emulator
