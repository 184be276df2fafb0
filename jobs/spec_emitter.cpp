#include "jobs/spec_emitter.hpp"

#include "jobs/duration.hpp"

namespace bulkd::detail {

void spec_emitter::begin_map(std::string_view k) {
  if (!k.empty())
    key(k);
  out_ << YAML::BeginMap;
}

void spec_emitter::string_value(const std::string& v) {
  // The loader expands `${`; a literal one must come back as written.
  std::string escaped;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v.compare(i, 2, "${") == 0)
      escaped += '$';
    escaped += v[i];
  }
  // Quote what other YAML readers would take for a number or a boolean (api_version: "7.5").
  bool numeric =
      !escaped.empty() && escaped.find_first_not_of("0123456789.+-eE") == std::string::npos;
  if (numeric || escaped == "true" || escaped == "false" || escaped == "null")
    out_ << YAML::DoubleQuoted;
  out_ << escaped;
}

void spec_emitter::secret_value(const secret& v) {
  if (opts_.reveal_secrets)
    string_value(v.reveal());
  else
    out_ << secret::mask;
}

void spec_emitter::field(std::string_view k, const std::string& v) {
  key(k);
  string_value(v);
}

void spec_emitter::field(std::string_view k, const secret& v) {
  key(k);
  secret_value(v);
}

void spec_emitter::field(std::string_view k, bool v) {
  key(k);
  out_ << (v ? "true" : "false");
}

void spec_emitter::field(std::string_view k, uint64_t v) {
  key(k);
  out_ << v;
}

void spec_emitter::field(std::string_view k, duration v) {
  key(k);
  out_ << format_duration(v);
}

void spec_emitter::container(const container_ref& c) {
  field("account", c.account);
  field("database", c.database);
  field("container", c.container);
}

void spec_emitter::retry(std::string_view k, const retry_policy& r) {
  begin_map(k);
  field("max_attempts", uint64_t{r.max_attempts});
  field("initial_backoff", r.initial_backoff);
  field("max_backoff", r.max_backoff);
  end_map();
}

void spec_emitter::tls(const tls_options& t) {
  if (t == tls_options{})
    return;
  begin_map("tls");
  if (!t.ca_file.empty())
    field("ca_file", t.ca_file);
  field("insecure_skip_verify", t.insecure_skip_verify);
  end_map();
}

void spec_emitter::credential(const credential_spec& c) {
  begin_map("credential");
  enum_field("type", c.type);
  if (!c.tenant_id.empty())
    field("tenant_id", c.tenant_id);
  if (!c.client_id.empty())
    field("client_id", c.client_id);
  if (c.type == credential_type::client_secret)
    field("client_secret", c.client_secret);
  if (c.type == credential_type::client_certificate)
    field("certificate_file", c.certificate_file);
  field("authority_host", c.authority_host);
  end_map();
}

} // namespace bulkd::detail
