#include "jobs/yaml_documents.hpp"

#include <yaml-cpp/eventhandler.h>

#include <optional>
#include <sstream>
#include <string>

namespace bulkd::yaml {

namespace {

// Notes where each document starts. A document that consumed no token starts where the previous
// one did: the parser is stuck there.
class document_starts : public YAML::EventHandler {
public:
  std::optional<YAML::Mark> last;
  std::optional<YAML::Mark> stuck;

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (last && last->pos == mark.pos)
      stuck = mark;
    last = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

} // namespace

std::vector<YAML::Node> load_documents(std::string_view text) {
  std::string copy{text};
  {
    // A first pass without building nodes, which stops where LoadAll would loop.
    std::istringstream in{copy};
    YAML::Parser parser{in};
    document_starts starts;
    while (parser.HandleNextDocument(starts))
      if (starts.stuck) {
        auto at = static_cast<size_t>(starts.stuck->pos);
        std::string what = at < copy.size() ? "unexpected '" + std::string(1, copy[at]) + "'"
                                            : std::string{"unexpected token"};
        throw YAML::ParserException(*starts.stuck, what);
      }
  }
  return YAML::LoadAll(copy);
}

} // namespace bulkd::yaml
