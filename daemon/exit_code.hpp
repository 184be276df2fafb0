#pragma once

// Exit codes of the bulkd binary, documented in `bulkd --help` and the README.
namespace bulkd::exit_code {

inline constexpr int ok = 0;              // everything asked for succeeded
inline constexpr int failed = 1;          // a job, a check or a validation failed
inline constexpr int bad_input = 2;       // bad command line, or a job spec / config that does not load
inline constexpr int not_implemented = 3; // the subcommand is not built yet in this version
inline constexpr int unavailable = 4;     // a service bulkd needs (the admin API, a port) cannot be reached

} // namespace bulkd::exit_code
