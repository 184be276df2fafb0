#include "actors/restart_policy.hpp"

namespace bulkd {

bool restart_window::record(time_point at) {
  // A failure exactly `window` ago has left the window: (at - window, at].
  while (!stamps_.empty() && stamps_.front() <= at - limit_.window)
    stamps_.pop_front();
  stamps_.push_back(at);
  return stamps_.size() <= limit_.max_restarts;
}

} // namespace bulkd
