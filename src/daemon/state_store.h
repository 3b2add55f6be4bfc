// What vipad changed that it does not own, with the original values, kept in a small JSON file
// so that `--cleanup` (even after a crash) can put everything back.
#pragma once

#include <string>

#include "common/result.h"
#include "core/model.h"

namespace vipa {

class StateStore {
 public:
  explicit StateStore(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  // Load the originals into obs (a missing file is an empty record).
  Status load(Observed& obs);
  // Persist obs' originals (atomically). Called before vipad changes anything not its own.
  Status save(const Observed& obs);
  Status remove();

 private:
  std::string path_;
};

}  // namespace vipa
