#pragma once

// Internal to the printers: a thin layer over YAML::Emitter that writes spec values the way the
// loader reads them (literal `${` escaped as `$${`, secrets masked).

#include "jobs/credential_spec.hpp"
#include "jobs/enum_names.hpp"
#include "jobs/job_common.hpp"
#include "jobs/secret.hpp"
#include "jobs/spec_printer.hpp"
#include "clients/tls_options.hpp"

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace bulkd::detail {

class spec_emitter {
public:
  explicit spec_emitter(print_options opts) : opts_(opts) {}

  YAML::Emitter& out() { return out_; }
  std::string str() const { return out_.c_str(); }

  void begin_map(std::string_view key = {});
  void end_map() { out_ << YAML::EndMap; }
  void key(std::string_view k) { out_ << YAML::Key << std::string{k} << YAML::Value; }

  void field(std::string_view k, const std::string& v);
  void field(std::string_view k, const char* v) { field(k, std::string{v}); }
  void field(std::string_view k, const secret& v);
  void field(std::string_view k, bool v);
  void field(std::string_view k, uint64_t v);
  void field(std::string_view k, duration v);
  template <class E>
  void enum_field(std::string_view k, E v) {
    field(k, std::string{enum_name(v)});
  }
  void string_value(const std::string& v);
  void secret_value(const secret& v);

  void container(const container_ref& c);
  void retry(std::string_view k, const retry_policy& r);
  void tls(const tls_options& t);
  void credential(const credential_spec& c);

private:
  print_options opts_;
  YAML::Emitter out_;
};

} // namespace bulkd::detail
