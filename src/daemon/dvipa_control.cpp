// DvipaManager's control commands (vipactl dvipa, netstat vipadyn) and metrics.
#include <time.h>

#include <fstream>
#include <set>
#include <sstream>

#include "common/atomic_file.h"
#include "daemon/dvipa_manager.h"
#include "daemon/dvipa_sockdiag.h"
#include "daemon/log.h"

namespace vipa {

using nlohmann::json;

namespace {

// Wall-clock time `ago_ms` before now, ISO 8601 UTC.
std::string iso_ago(uint64_t ago_ms) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t ms = static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000 -
               static_cast<int64_t>(ago_ms);
  time_t sec = static_cast<time_t>(ms / 1000);
  tm t;
  gmtime_r(&sec, &t);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

std::string prom_label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

json DvipaManager::entry_json(const Entry& e, uint64_t now) const {
  const auto& m = e.machine;
  json metric = nullptr, wanted = nullptr;
  if (e.applied_known && e.applied) metric = e.applied.value();
  if (m.announce()) wanted = m.announce().value();
  json j = {{"name", e.cfg.name},
            {"address", e.cfg.address.str()},
            {"prefixlen", e.cfg.address.bits()},
            {"link", dvipa_link_name(e.cfg.name)},
            {"state", dvipa::to_string(m.state())},
            {"status", dvipa::zos_status(m.state())},
            {"reason", m.reason()},
            {"since", iso_ago(now - std::min(now, m.since_ms()))},
            {"rank", e.cfg.rank},
            {"metric", metric},
            {"wanted_metric", wanted},
            {"takeback", to_string(e.cfg.takeback)},
            {"takeback_pending", m.takeback_pending()},
            {"delay_join", e.cfg.delay_join},
            {"withdrawn_by_hand", e.admin_withdrawn},
            {"busy_connections", e.busy >= 0 ? json(e.busy) : json(nullptr)},
            {"hold_down_ms", m.damping().hold_ms()},
            {"view_ok", e.view.ok},
            {"protocol", adapter_ ? adapter_->name() : "none"}};
  j["health"] = {{"kind", to_string(e.cfg.health.kind)},
                 {"target", e.cfg.health.target},
                 {"healthy", e.health.healthy()},
                 {"passes", e.health.passes()},
                 {"failures", e.health.failures()},
                 {"rise", e.cfg.health.rise},
                 {"fall", e.cfg.health.fall},
                 {"last", e.health_detail}};
  const dvipa::Announcer* own = e.view.ok ? dvipa::owner_of(e.view) : nullptr;
  j["owner"] = own ? json{{"id", own->id}, {"self", own->self}} : json(nullptr);
  j["self_id"] = e.view.self_id;
  j["neighbours"] = e.view.neighbours;
  json ann = json::array();
  for (auto& a : e.view.announcers) {
    auto d = dvipa::decode_metric(a.metric);
    ann.push_back({{"id", a.id},
                   {"metric", a.metric},
                   {"rank", d.rank ? json(d.rank) : json(nullptr)},
                   {"kind", dvipa::to_string(d.kind)},
                   {"self", a.self}});
  }
  j["announcers"] = ann;
  j["problems"] = json::array();
  for (auto& [p, since] : m.problems()) j["problems"].push_back(p);
  j["transitions"] = e.transitions;
  j["announcements"] = e.announcements;
  if (json mv = moves_->status_json(e.cfg.name); !mv.is_null()) {
    if (mv["moving"].get<bool>()) j["state"] = "moving", j["status"] = "MOVING";
    j["moves"] = std::move(mv);
  }
  return j;
}

json DvipaManager::status_json(const std::string& name) const {
  uint64_t now = now_ms();
  json out = json::array();
  for (auto& d : cfg_.dvipas) {
    if (!name.empty() && d.name != name) continue;
    if (auto it = entries_.find(d.name); it != entries_.end())
      out.push_back(entry_json(*it->second, now));
  }
  return {{"dvipas", out},
          {"view_error", view_error_},
          {"counters",
           {{"views", views_},
            {"view_failures", view_failures_},
            {"commands", commands_},
            {"command_failures", command_failures_},
            {"reasserts", reasserts_}}}};
}

// z/OS NETSTAT VIPADYN: the defining stack is the one with the highest rank the protocol sees.
json DvipaManager::vipadyn_json() const {
  uint64_t now = now_ms();
  json out = json::array();
  for (auto& d : cfg_.dvipas) {
    auto it = entries_.find(d.name);
    if (it == entries_.end()) continue;
    const Entry& e = *it->second;
    uint32_t best = e.cfg.rank;
    for (auto& a : e.view.announcers)
      if (!a.self) best = std::max(best, dvipa::decode_metric(a.metric).rank);
    bool active =
        e.machine.state() == dvipa::State::Active || e.machine.state() == dvipa::State::Sticky;
    const char* status = moves_->moving(d.name) ? "MOVING" : dvipa::zos_status(e.machine.state());
    out.push_back({{"name", d.name},
                   {"address", d.address.str()},
                   {"prefixlen", d.address.bits()},
                   {"status", status},
                   {"origin", best == e.cfg.rank ? "VIPADEFINE" : "VIPABACKUP"},
                   {"rank", e.cfg.rank},
                   {"acttime", active ? json(iso_ago(now - std::min(now, e.machine.since_ms())))
                                      : json(nullptr)}});
  }
  return {{"vipadyn", out}};
}

// The DVIPAs withdrawn by hand, in a small JSON file: {"withdrawn_by_hand": ["web"]}. A vipad
// that restarts (a crash, kill -9, an upgrade) keeps them withdrawn until `vipactl dvipa
// resume`; a file it cannot read is reported and treated as empty.
void DvipaManager::set_withdrawn_path(std::string path) {
  withdrawn_path_ = std::move(path);
  withdrawn_by_hand_.clear();
  std::ifstream in(withdrawn_path_);
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("withdrawn_by_hand") ||
      !j["withdrawn_by_hand"].is_array()) {
    log::warn("dvipa: " + withdrawn_path_ + " is not what vipad writes; ignoring it");
    return;
  }
  for (auto& n : j["withdrawn_by_hand"])
    if (n.is_string()) withdrawn_by_hand_.insert(n.get<std::string>());
  if (!withdrawn_by_hand_.empty())
    log::notice("dvipa: still withdrawn by hand (" + withdrawn_path_ +
                "): " + json(withdrawn_by_hand_).dump());
}

void DvipaManager::save_withdrawn() {
  if (withdrawn_path_.empty()) return;
  json j{{"withdrawn_by_hand", withdrawn_by_hand_}};
  Status s = write_file_atomic(withdrawn_path_, j.dump() + "\n", 0644);
  if (!s.ok()) log::warn("dvipa: cannot record the withdrawn DVIPAs: " + s.error().message);
}

Result<json> DvipaManager::withdraw(const std::string& name) {
  Entry* e = find(name);
  if (!e) return Error::msg("no DVIPA named " + name);
  e->admin_withdrawn = true;
  withdrawn_by_hand_.insert(name);
  save_withdrawn();
  evaluate(*e, now_ms());
  return entry_json(*e, now_ms());
}

Result<json> DvipaManager::resume(const std::string& name) {
  Entry* e = find(name);
  if (!e) return Error::msg("no DVIPA named " + name);
  e->admin_withdrawn = false;
  withdrawn_by_hand_.erase(name);
  save_withdrawn();
  evaluate(*e, now_ms());
  return entry_json(*e, now_ms());
}

Result<json> DvipaManager::takeback(const std::string& name) {
  Entry* e = find(name);
  if (!e) return Error::msg("no DVIPA named " + name);
  if (e->admin_withdrawn) return Error::msg(name + " is withdrawn by hand: resume it first");
  e->machine.request_takeback(now_ms());
  evaluate(*e, now_ms());
  return entry_json(*e, now_ms());
}

Result<json> DvipaManager::connections_json(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) return Error::msg("no DVIPA named " + name);
  const Entry& e = *it->second;
  auto conns = established_connections({e.cfg.address});
  if (!conns.ok()) return conns.error();
  json list = json::array();
  for (auto& c : *conns) {
    if (list.size() >= kConnectionsListed) break;
    list.push_back({{"local", c.local.str()},
                    {"local_port", c.local_port},
                    {"remote", c.remote.str()},
                    {"remote_port", c.remote_port},
                    {"quiet_ms", c.quiet_ms ? json(*c.quiet_ms) : json(nullptr)},
                    {"busy", c.quiet_ms ? json(*c.quiet_ms < e.cfg.idle_ms) : json(nullptr)}});
  }
  json j = {{"name", e.cfg.name},
            {"address", e.cfg.address.str()},
            {"state", dvipa::to_string(e.machine.state())},
            {"status", dvipa::zos_status(e.machine.state())},
            {"owner_self", e.machine.owner_self()},
            {"idle_ms", e.cfg.idle_ms},
            {"total", conns->size()},
            {"connections", std::move(list)},
            {"moving", false},
            {"forwarding_to", json::array()}};
  if (json mv = moves_->status_json(name); !mv.is_null()) {
    j["moving"] = mv["moving"];
    if (mv["moving"].get<bool>()) j["state"] = "moving", j["status"] = "MOVING";
    j["forwarding_to"] = mv["forwarding_to"];
  }
  return j;
}

std::string DvipaManager::metrics_text() const {
  if (entries_.empty()) return "";
  std::string s;
  auto family = [&](const char* name, const char* type, const char* help) {
    s += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  static const dvipa::State kStates[] = {dvipa::State::Joining,   dvipa::State::Standby,
                                         dvipa::State::Active,    dvipa::State::Sticky,
                                         dvipa::State::Withdrawn, dvipa::State::Moving};
  family("vipa_dvipa_state", "gauge", "1 for the state each Dynamic VIPA is in on this host");
  for (auto& [n, e] : entries_)
    for (auto st : kStates)
      s += "vipa_dvipa_state{dvipa=\"" + prom_label(n) + "\",state=\"" + dvipa::to_string(st) +
           "\"} " + (e->machine.state() == st ? "1" : "0") + "\n";
  family("vipa_dvipa_announced_metric", "gauge",
         "The metric the routing daemon announces for this host (-1: not announced)");
  for (auto& [n, e] : entries_)
    s += "vipa_dvipa_announced_metric{dvipa=\"" + prom_label(n) + "\"} " +
         (e->applied_known && e->applied ? std::to_string(*e->applied) : "-1") + "\n";
  family("vipa_dvipa_healthy", "gauge", "1 when the Dynamic VIPA's health check passes");
  for (auto& [n, e] : entries_)
    s += "vipa_dvipa_healthy{dvipa=\"" + prom_label(n) + "\"} " +
         (e->health.healthy() ? "1" : "0") + "\n";
  family("vipa_dvipa_transitions_total", "counter", "State changes of each Dynamic VIPA");
  for (auto& [n, e] : entries_)
    s += "vipa_dvipa_transitions_total{dvipa=\"" + prom_label(n) + "\"} " +
         std::to_string(e->transitions) + "\n";
  family("vipa_dvipa_announcements_total", "counter",
         "Announcement changes (announce, metric change, withdraw) vipad made");
  for (auto& [n, e] : entries_)
    s += "vipa_dvipa_announcements_total{dvipa=\"" + prom_label(n) + "\"} " +
         std::to_string(e->announcements) + "\n";
  family("vipa_dvipa_reasserts_total", "counter",
         "Announcements vipad put back after the routing daemon lost them");
  s += "vipa_dvipa_reasserts_total " + std::to_string(reasserts_) + "\n";
  s += moves_->metrics_text();
  return s;
}

}  // namespace vipa
