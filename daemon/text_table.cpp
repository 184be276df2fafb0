#include "daemon/text_table.hpp"

#include <algorithm>
#include <cstdio>

namespace bulkd {

void print_table(const std::vector<std::string>& head,
                 const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
  std::vector<size_t> width(head.size());
  for (size_t i = 0; i < head.size(); ++i)
    width[i] = head[i].size();
  for (auto& r : rows)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string out = indent;
    for (size_t i = 0; i < r.size(); ++i) {
      out += r[i];
      if (i + 1 < r.size() && i < width.size())
        out += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::printf("%s\n", out.c_str());
  };
  line(head);
  for (auto& r : rows)
    line(r);
}

} // namespace bulkd
