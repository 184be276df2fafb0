#include "clients/keyvault/pager.hpp"

#include "clients/error.hpp"
#include "clients/keyvault/key_requests.hpp"

namespace bulkd::keyvault {

caf::expected<std::optional<http_request>>
pager::next(const std::optional<std::string>& next_link) {
  ++pages_;
  if (!next_link)
    return std::optional<http_request>{};
  if (pages_ >= max_)
    return make_error(ec::parse_error, "list did not end after " + std::to_string(max_) + " pages");
  if (!seen_.insert(*next_link).second)
    return make_error(ec::parse_error, "nextLink \"" + *next_link +
                                           "\" was already followed (the list would never end)");
  auto req = next_page(vault_, *next_link);
  if (!req)
    return std::move(req.error());
  return std::optional<http_request>{std::move(*req)};
}

} // namespace bulkd::keyvault
