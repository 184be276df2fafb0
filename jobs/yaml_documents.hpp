#pragma once

// Every document of a YAML stream, as YAML::LoadAll gives them, except that a stream on which
// yaml-cpp 0.7's LoadAll never returns (a token no rule consumes, such as a lone ',' at the top
// level: jbeder/yaml-cpp#1040, fixed upstream after 0.7) is a YAML::ParserException at that token
// instead of a loop that fills memory with null documents.

#include <yaml-cpp/yaml.h>

#include <string_view>
#include <vector>

namespace bulkd::yaml {

std::vector<YAML::Node> load_documents(std::string_view text);

} // namespace bulkd::yaml
