// Whole-file reads for configs and records (small files; no streaming needed).
#pragma once

#include <string>

#include "common/result.h"

namespace vipa {

// The file's bytes; on failure an Error with the errno and "PATH: cannot read: ...".
Result<std::string> read_file(const std::string& path);

}  // namespace vipa
