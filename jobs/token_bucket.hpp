#pragma once

// An RU budget (rate_limit.max_ru_per_second). Charges are only known after a response, so the
// balance may go negative; senders wait wait_time() before the next request. Pure: the caller
// passes the time.

#include <chrono>

namespace bulkd {

class token_bucket {
public:
  using clock = std::chrono::steady_clock;

  /// Starts full (`burst` tokens). A rate <= 0 means no budget: wait_time() is always 0.
  token_bucket(double rate_per_second, double burst, clock::time_point now);

  /// Takes `amount` tokens (refilling first); may go negative.
  void spend(double amount, clock::time_point now);

  /// How long until the balance is back at 0; 0 when it is not negative.
  std::chrono::milliseconds wait_time(clock::time_point now) const;

  /// The balance at `now` (at most `burst`).
  double available(clock::time_point now) const;

private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

} // namespace bulkd
