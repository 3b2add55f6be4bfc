// Interface sysctls through /proc/sys (per network namespace, like everything vipad touches).
#pragma once

#include <optional>
#include <string>

#include "common/result.h"

namespace vipa {

std::optional<std::string> sysctl_read(const std::string& path);  // trimmed; nullopt if absent
Status sysctl_write(const std::string& path, const std::string& value);

}  // namespace vipa
