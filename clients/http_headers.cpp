#include "clients/http_headers.hpp"

#include <algorithm>

namespace bulkd {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

const std::string* http_headers::find(std::string_view name) const {
  for (auto& [k, v] : fields_)
    if (iequals(k, name))
      return &v;
  return nullptr;
}

std::string http_headers::value(std::string_view name, std::string_view fallback) const {
  if (auto v = find(name))
    return *v;
  return std::string{fallback};
}

void http_headers::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void http_headers::set(std::string name, std::string value) {
  erase(name);
  add(std::move(name), std::move(value));
}

size_t http_headers::erase(std::string_view name) {
  auto n = fields_.size();
  std::erase_if(fields_, [&](const field& x) { return iequals(x.first, name); });
  return n - fields_.size();
}

} // namespace bulkd
