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
  if (result["dvipas"].empty()) return "no Dynamic VIPA is configured\n";
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

std::string format_connections(const json& r) {
  if (!r.is_object()) return "no answer\n";
  std::string out = "DVIPA " + str(r, "name") + " " + str(r, "address") + ": " + str(r, "status") +
                    (str(r, "owner_self", "no") == "yes" ? " (this host owns it)" : "") + "\n";
  const json& list =
      r.contains("connections") && r["connections"].is_array() ? r["connections"] : json::array();
  out += "DYNAMIC VIPA CONNECTION ROUTING TABLE: " + str(r, "total", "0") +
         " established here (idle after " + str(r, "idle_ms") + " ms)\n";
  if (!list.empty()) out += "  " + pad("DEST", 26) + " " + pad("SOURCE", 42) + " LAST HEARD\n";
  for (auto& c : list) {
    std::string heard = str(c, "quiet_ms", "");
    heard =
        heard.empty() ? "-" : heard + " ms ago" + (str(c, "busy", "no") == "yes" ? ", busy" : "");
    out += "  " + pad(str(c, "local") + ".." + str(c, "local_port"), 26) + " " +
           pad(str(c, "remote") + ".." + str(c, "remote_port"), 42) + " " + heard + "\n";
  }
  if (r.contains("total") && r["total"].is_number_integer() &&
      r["total"].get<int64_t>() > static_cast<int64_t>(list.size()))
    out += "  (" + std::to_string(r["total"].get<int64_t>() - static_cast<int64_t>(list.size())) +
           " more not listed)\n";
  if (str(r, "moving", "no") == "yes")
    out +=
        "MOVING: this host keeps these connections after the move; it no longer announces the "
        "DVIPA\n";
  const json& fwd = r.contains("forwarding_to") && r["forwarding_to"].is_array()
                        ? r["forwarding_to"]
                        : json::array();
  if (fwd.empty()) {
    out += "FORWARDING: none\n";
  } else {
    out += "FORWARDING: packets of connections not established here go to\n";
    for (auto& f : fwd)
      out += "  " + str(f, "id") + " " + str(f, "address") +
             (str(f, "newest", "no") == "yes" ? " (newest: new connections)" : "") + "\n";
  }
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
