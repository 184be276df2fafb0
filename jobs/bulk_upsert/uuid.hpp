#pragma once

#include <string>

namespace bulkd {

/// A random (version 4) UUID in its lowercase 8-4-4-4-12 form.
std::string random_uuid_v4();

} // namespace bulkd
