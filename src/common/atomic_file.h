// Records that survive a crash at any instant: readers see the old file or the new one,
// never a torn one.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.h"

namespace vipa {

// Writes `content` to a hidden temp file beside `path`, fsyncs it, renames it over `path`
// and fsyncs the directory (so the rename itself is durable). Missing parent directories
// are created (mode 0755).
Status write_file_atomic(const std::string& path, const std::string& content, mode_t mode = 0644);

}  // namespace vipa
