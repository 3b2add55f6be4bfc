// vipactl's command line (CLI11): every subcommand, its help text, and the dispatch.
#pragma once

namespace vipa::vipactl {

// Parses argv and runs the chosen subcommand; returns the process exit status.
int run_cli(int argc, char** argv);

}  // namespace vipa::vipactl
