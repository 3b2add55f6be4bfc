// Turns parsed TOML documents into a Config. Only shapes and single values are checked
// here (unknown keys, types, address syntax, enum words); whole-config rules live in
// validate.cpp so that vipactl's in-memory changes are held to the same rules.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/locations.h"

namespace vipa {

// Keeps the error that comes first in the files (in load order), so the message a user
// sees does not depend on toml++'s key order.
class ErrorSink {
 public:
  explicit ErrorSink(std::vector<std::string> files) : files_(std::move(files)) {}
  void fail(const SourceLoc& at, const std::string& message);
  bool failed() const { return failed_; }
  Error error() const { return located_error(at_, message_); }

 private:
  size_t rank(const std::string& file) const;

  std::vector<std::string> files_;
  bool failed_ = false;
  SourceLoc at_;
  std::string message_;
};

SourceLoc loc_of(const toml::node& n);
SourceLoc loc_of(const toml::key& k);

// A [vipa.NAME] table that survived the drop-in merge; the node lives in a parsed document.
struct VipaSource {
  std::string name;
  const toml::table* table = nullptr;
};

// Adds the [vipa.*] tables of `root` to `vipas` in file order. A drop-in's table replaces the
// one of the same name; in a drop-in, `deleted = true` removes it and other top-level keys
// are refused.
void collect_vipas(const toml::table& root, bool dropin, std::vector<VipaSource>& vipas,
                   ErrorSink& sink);

// Reads everything but [vipa.*] from `root` (the main file) and the VIPAs from `vipas`.
void read_config(const toml::table& root, const std::vector<VipaSource>& vipas, Config& c,
                 Locations& locs, ErrorSink& sink);

// [dvipa.NAME] tables (dvipa_reader.cpp), main file only.
void read_dvipas(const toml::node& n, Config& c, Locations& locs, ErrorSink& sink);

// toml::parse without exceptions: a syntax error becomes "NAME:LINE:COLUMN: description".
Result<toml::table> parse_toml(std::string_view text, const std::string& name);

}  // namespace vipa
