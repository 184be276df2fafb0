#pragma once

// Following a list's nextLinks: until a page has none, through empty pages, refusing a link that
// leaves the vault (next_page()) or that was already followed (a server bug that would loop
// forever, as ecadlabs/signatory#238 hit on an empty vault).

#include "clients/http_request.hpp"
#include "clients/keyvault/vault.hpp"

#include <caf/expected.hpp>

#include <cstddef>
#include <optional>
#include <set>
#include <string>

namespace bulkd::keyvault {

class pager {
public:
  /// `max_pages` bounds a run even when every link is new (25 keys per page: 10,000 pages are
  /// 250,000 keys).
  explicit pager(vault v, size_t max_pages = 10'000) : vault_(std::move(v)), max_(max_pages) {}

  /// The request for the next page given the current page's nextLink; nullopt when there is none.
  /// ec::parse_error for a link already followed, a link leaving the vault, or too many pages.
  caf::expected<std::optional<http_request>> next(const std::optional<std::string>& next_link);

  /// Pages whose nextLink was handed to next(), including the last.
  size_t pages() const { return pages_; }

private:
  vault vault_;
  size_t max_;
  size_t pages_ = 0;
  std::set<std::string> seen_;
};

} // namespace bulkd::keyvault
