#include "jobs/bulk_upsert/record_extractor.hpp"

#include "jobs/bulk_upsert/uuid.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace bulkd {

caf::expected<record_extractor> record_extractor::make(const record_extraction& extraction) {
  record_extractor result;
  auto id = parse_json_pointer(extraction.id_path);
  if (!id)
    return std::move(id.error());
  result.id_path_ = std::move(*id);
  result.generate_id_ = extraction.generate_id;
  std::vector<json_pointer> all{result.id_path_};
  for (const auto& path : extraction.partition_key_paths) {
    auto pk = parse_json_pointer(path);
    if (!pk)
      return std::move(pk.error());
    result.key_paths_.push_back(*pk);
    all.push_back(std::move(*pk));
  }
  result.compactor_ = json_compactor{std::move(all)};
  return result;
}

namespace {

std::optional<std::string> check_id(const std::string& id, const std::string& path) {
  if (id.empty())
    return "the id at " + path + " is empty";
  if (id.size() > 1023)
    return "the id at " + path + " is longer than 1023 bytes";
  for (char c : {'/', '\\', '?', '#'})
    if (id.find(c) != std::string::npos)
      return "the id at " + path + " contains '" + std::string(1, c) +
             "', which Cosmos DB does not allow in ids";
  return std::nullopt;
}

bool insert_generated_id(std::string& document, const json_pointer& path, const std::string& id,
                         std::string& error) {
  if (path.segments.size() == 1) {
    std::string head = "{";
    append_json_string(head, path.segments.front());
    head += ':';
    append_json_string(head, id);
    if (document.size() > 2)
      head += ',';
    document.replace(0, 1, head);
    return true;
  }
  try {
    auto doc = nlohmann::json::parse(document);
    doc[nlohmann::json::json_pointer{path.text}] = id;
    document = doc.dump();
    return true;
  } catch (const std::exception& e) {
    error = "cannot insert a generated id at " + path.text + ": " + e.what();
    return false;
  }
}

} // namespace

std::optional<extraction_failure> record_extractor::extract(std::string_view text,
                                                            input_record& rec) {
  rec.document.clear();
  if (auto failure = compactor_.compact(text, rec.document))
    return extraction_failure{std::move(failure->what), failure->offset};
  auto kind = json_kind_of(rec.document);
  if (kind != json_capture::object)
    return extraction_failure{std::string{"expected a JSON object, found "} + describe(kind), {}};
  const auto& caps = compactor_.captures();
  bool generated = false;
  const auto& id = caps[0];
  if (id.kind == json_capture::missing) {
    if (!generate_id_)
      return extraction_failure{"no id at " + id_path_.text + " (generate_id: true adds one)", {}};
    rec.id = random_uuid_v4();
    std::string error;
    if (!insert_generated_id(rec.document, id_path_, rec.id, error))
      return extraction_failure{std::move(error), {}};
    generated = true;
  } else if (id.kind != json_capture::string) {
    return extraction_failure{"the id at " + id_path_.text + " is " + describe(id.kind) +
                                  "; Cosmos DB ids must be strings",
                              {}};
  } else {
    if (auto bad = check_id(id.text, id_path_.text))
      return extraction_failure{std::move(*bad), {}};
    rec.id = id.text;
  }
  rec.key.clear();
  rec.key.reserve(key_paths_.size());
  for (size_t i = 0; i < key_paths_.size(); ++i) {
    const auto& cap = caps[i + 1];
    const auto& path = key_paths_[i];
    if (generated && path == id_path_) {
      rec.key.emplace_back(rec.id);
      continue;
    }
    switch (cap.kind) {
    case json_capture::missing:
      return extraction_failure{"no partition key value at " + path.text, {}};
    case json_capture::string:
      rec.key.emplace_back(cap.text);
      break;
    case json_capture::boolean:
      rec.key.emplace_back(cap.flag);
      break;
    case json_capture::null:
      rec.key.emplace_back(nullptr);
      break;
    case json_capture::number: {
      double v = 0;
      auto [end, ec] = std::from_chars(cap.text.data(), cap.text.data() + cap.text.size(), v);
      if (ec != std::errc{} || end != cap.text.data() + cap.text.size())
        return extraction_failure{"the partition key value at " + path.text + " (" + cap.text +
                                      ") is out of range for a double",
                                  {}};
      rec.key.emplace_back(v);
      break;
    }
    default:
      return extraction_failure{"the partition key value at " + path.text + " is " +
                                    describe(cap.kind) +
                                    "; it must be a string, number, boolean or null",
                                {}};
    }
  }
  return std::nullopt;
}

} // namespace bulkd
