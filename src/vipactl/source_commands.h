// vipactl source [--json] and vipactl source test: the [[source]] rules (z/OS SRCIP) as vipad
// applies them, and which source a new connection would get, and why.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "vipactl/session.h"

namespace vipa::vipactl {

struct SourceArgs {
  bool json = false;
  std::string unit, user, destination;
  int64_t pid = -1;
};

using SourceRunner = std::function<int(Session&)>;
void add_source_commands(CLI::App& app, SourceArgs& a,
                         std::vector<std::pair<CLI::App*, SourceRunner>>& cmds);

}  // namespace vipa::vipactl
