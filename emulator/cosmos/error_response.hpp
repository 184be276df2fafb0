#pragma once

// Cosmos DB's error shape: {"code":"NotFound","message":"..."} with x-ms-substatus when there is
// one and x-ms-request-charge on every answer. Every status >= 400 from the emulator carries such a
// body (the JS SDK fails on an empty error body).

#include <string>
#include <string_view>

namespace httplib {
struct Response;
} // namespace httplib

namespace bulkd::emulator::cosmos {

/// The code Cosmos uses for a status ("BadRequest", "NotFound", "TooManyRequests", ...).
const char* status_code_name(int status);

/// Sets status, the JSON error body and x-ms-substatus (when substatus != 0).
void write_error(httplib::Response& res, int status, std::string_view message, int substatus = 0);

/// The same with an explicit code.
void write_error(httplib::Response& res, int status, std::string_view code,
                 std::string_view message, int substatus);

/// The body alone: {"code":..., "message":...}.
std::string error_body(std::string_view code, std::string_view message);

} // namespace bulkd::emulator::cosmos
