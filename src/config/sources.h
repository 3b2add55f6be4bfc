// [[source]] tables: reading, whole-config checks, and what a rule's `vipa` names.
// The rules' meaning and their kernel side live in src/srcsel (docs/source-selection.md).
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>

#include "config/config.h"
#include "config/locations.h"
#include "config/toml_reader.h"

namespace vipa {

// Reads the [[source]] array of the main file into c.sources. User names are looked up in the
// system's user database here (getpwnam_r), so that an unknown user is a located error.
void read_sources(const toml::node& n, Config& c, Locations& locs, ErrorSink& sink);

// Whole-config rules: `vipa` names a VIPA or one of its addresses, a destination's family is
// one the VIPA has, and no two rules of the same kind and specificity overlap.
Status check_sources(const Config& c, const Locations* locs);

// The addresses a rule's `vipa` stands for: a [vipa.NAME] gives its netaddr and netaddr6 (by
// family); one of its addresses gives that address alone.
struct SourceVipa {
  const VipaConfig* vipa = nullptr;
  IpAddr v4, v6;
};
std::optional<SourceVipa> resolve_source_vipa(const Config& c, const std::string& ref);

// "unit", "cgroup", "user", "destination"
const char* to_string(SourceKind k);

// Unit names that have a cgroup of their own (systemd.unit(5)): NAME.service|.slice|.scope|
// .socket|.mount|.swap, with systemd's characters.
bool valid_unit_name(std::string_view name);

// "/system.slice/app.slice/" -> "system.slice/app.slice"; nullopt for "..", ".", empty parts.
std::optional<std::string> normalize_cgroup_path(std::string_view path);

}  // namespace vipa
