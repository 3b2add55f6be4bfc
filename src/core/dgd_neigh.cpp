#include "core/dgd_neigh.h"

namespace vipa {

bool NeighbourEvent::proxy() const {
  return flags & kNtfProxy;
}

bool NeighbourEvent::failed() const {
  return !deleted && (state & kNudFailed);
}

bool NeighbourEvent::reachable() const {
  return !deleted && (state & kNudReachable);
}

}  // namespace vipa
