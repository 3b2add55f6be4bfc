// vipactl's Dynamic VIPA commands (docs/dynamic-vipa.md).
#pragma once

#include <string>
#include <vector>

#include "vipactl/session.h"

namespace vipa::vipactl {

struct DvipaArgs {
  std::vector<std::string> words;  // [] | [NAME] | [withdraw|resume|takeback, NAME]
  bool json = false;
};
int run_dvipa(Session& s, const DvipaArgs& a);
int run_vipadyn(Session& s, bool json);  // netstat vipadyn

}  // namespace vipa::vipactl
