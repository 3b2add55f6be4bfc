// The event loop's boundary: no exception may unwind into sd-event (C code, whose state it
// would leave half-dispatched). Each callback's body runs inside guarded(): a throw is logged
// with what was running, and the loop goes on with the next event. Errors are values
// everywhere else; this is the net under a bug, so a bug costs one event, not the daemon.
#pragma once

#include <exception>
#include <string>

#include "daemon/log.h"

namespace vipa {

template <class F>
bool guarded(const char* what, F&& f) noexcept {
  try {
    f();
    return true;
  } catch (const std::exception& e) {
    try {
      log::err(std::string("internal error in ") + what + " (event skipped): " + e.what());
    } catch (...) {
    }
  } catch (...) {
    try {
      log::err(std::string("internal error in ") + what + " (event skipped)");
    } catch (...) {
    }
  }
  return false;
}

}  // namespace vipa
