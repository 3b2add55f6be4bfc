#include "dvipa/format.h"

namespace vipa::dvipa {

using nlohmann::json;

namespace {

std::string str(const json& j, const char* key, const std::string& dflt = "-") {
  if (!j.is_object() || !j.contains(key)) return dflt;
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned() || v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return dflt;
}

std::string pad(std::string s, size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

// "2026-12-01T21:40:02.123Z" -> "12/01/2026 21:40:02", as z/OS prints ACTTIME.
std::string zos_time(const std::string& iso) {
  if (iso.size() < 19) return iso;
  return iso.substr(5, 2) + "/" + iso.substr(8, 2) + "/" + iso.substr(0, 4) + " " +
         iso.substr(11, 8);
}

}  // namespace

std::string format_dvipas(const json& result) {
  if (!result.is_object() || !result.contains("dvipas") || !result["dvipas"].is_array())
    return "no Dynamic VIPA\n";
  std::string out;
  for (auto& d : result["dvipas"]) {
    const json& h = d.is_object() && d.contains("health") ? d["health"] : json::object();
    std::string health = str(h, "kind") == "none"
                             ? "none"
                             : (h.value("healthy", false) ? "healthy" : "unhealthy") +
                                   std::string(" (") + str(h, "kind") + " " + str(h, "passes") +
                                   "/" + str(h, "rise") + ")";
    out += pad(str(d, "name"), 6) + " " + pad(str(d, "address"), 15) + " " +
           pad(str(d, "state"), 9) + " rank " + str(d, "rank") + "  metric " +
           str(d, "metric", "none") + "  health " + health + "  takeback " + str(d, "takeback") +
           "\n";
    out += "  reason      " + str(d, "reason") + " (since " + str(d, "since") + ")\n";
    std::string owner = "unknown";
    if (d.is_object() && d.contains("owner") && d["owner"].is_object())
      owner = str(d["owner"], "id") + (d["owner"].value("self", false) ? " (this host)" : "");
    else if (d.value("view_ok", false))
      owner = "nobody";
    out += "  owner       " + owner + "\n";
    std::string label = "  announcers  ";
    bool any = false;
    if (d.contains("announcers") && d["announcers"].is_array())
      for (auto& a : d["announcers"]) {
        out += label + pad(str(a, "id"), 15) + " rank " + pad(str(a, "rank"), 4) + " metric " +
               pad(str(a, "metric"), 6) + " " + str(a, "kind") +
               (a.value("self", false) ? " (this host)" : "") + "\n";
        label = "              ";
        any = true;
      }
    if (!any) out += label + (d.value("view_ok", false) ? "none" : "unknown (no view)") + "\n";
    std::string problems;
    if (d.contains("problems") && d["problems"].is_array())
      for (auto& p : d["problems"])
        if (p.is_string()) problems += (problems.empty() ? "" : ", ") + p.get<std::string>();
    out += "  problems    " + (problems.empty() ? std::string("-") : problems) + "\n";
  }
  if (result.contains("view_error") && result["view_error"].is_string() &&
      !result["view_error"].get<std::string>().empty())
    out += "routing daemon's view: " + result["view_error"].get<std::string>() + "\n";
  return out;
}

std::string format_vipadyn(const json& result) {
  std::string out = "DYNAMIC VIPA:\n";
  if (!result.is_object() || !result.contains("vipadyn") || !result["vipadyn"].is_array())
    return out;
  for (auto& d : result["vipadyn"]) {
    out += "  IPADDR/PREFIXLEN: " + str(d, "address") + "/" + str(d, "prefixlen") + "\n";
    out += "    STATUS: " + pad(str(d, "status"), 10) + " ORIGIN: " + pad(str(d, "origin"), 12) +
           " RANK: " + pad(str(d, "rank"), 5) + " DISTSTAT:\n";
    std::string act = str(d, "acttime", "");
    if (!act.empty()) out += "    ACTTIME: " + zos_time(act) + "\n";
  }
  return out;
}

}  // namespace vipa::dvipa
