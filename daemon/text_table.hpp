#pragma once

// The tables the CLI prints (keys, checkpoint, jobs, status): left-aligned columns separated by
// two spaces, the last column not padded, each line after `indent`.

#include <string>
#include <vector>

namespace bulkd {

/// Prints `head` and `rows` to stdout. Rows may have fewer cells than `head`.
void print_table(const std::vector<std::string>& head,
                 const std::vector<std::vector<std::string>>& rows, const std::string& indent = {});

} // namespace bulkd
