// `vipactl source`, `vipactl source test` and `vipad --cleanup` for [[source]] rules.
#include <pwd.h>
#include <sys/socket.h>

#include <charconv>

#include "common/read_file.h"
#include "config/sources.h"
#include "srcsel/kernel/fib_rules.h"
#include "srcsel/kernel/source_selector.h"

namespace vipa::srcsel {

using nlohmann::json;

json SourceSelector::status(const Config& cfg, const Observed& obs) const {
  json j;
  j["cgroup_root"] = mounts_.cgroup2;
  j["bpf"] = bpf_ ? "loaded" : bpf_unavailable_.empty() ? "not needed" : bpf_unavailable_;
  j["pin_dir"] = bpf_ ? pin_dir_ : "";
  j["rules"] = json::array();
  std::vector<LinkInfo> links;
  if (bpf_) links = bpf_->links();
  for (auto& r : rule_states(cfg, obs)) {
    const SourceConfig& s = *r.rule;
    json e = {{"index", r.index},
              {"kind", to_string(s.kind)},
              {"selector", s.selector},
              {"vipa", r.vipa},
              {"location", s.loc.str()},
              {"addresses", json::array()},
              {"state", r.active() ? "active" : "suspended"},
              {"reason", r.suspended}};
    for (auto* a : {&r.v4, &r.v6})
      if (!a->empty()) e["addresses"].push_back(a->str());
    if (s.kind == SourceKind::Unit || s.kind == SourceKind::Cgroup) {
      json at = {{"mechanism", "cgroup bpf"}, {"links", json::array()}};
      if (auto it = rule_cgroup_.find(r.index); it != rule_cgroup_.end())
        at["cgroup"] = "/" + it->second;
      if (auto it = rule_cgid_.find(r.index); it != rule_cgid_.end()) {
        at["cgroup_id"] = it->second;
        for (auto& l : links)
          if (l.cgroup_id == it->second)
            at["links"].push_back(
                {{"hook", hook_name(l.hook)}, {"id", l.link_id}, {"pinned", l.pinned}});
      }
      if (auto it = rule_waiting_.find(r.index); it != rule_waiting_.end() && r.active()) {
        e["state"] = "waiting";
        e["reason"] = it->second;
      }
      e["attached"] = at;
      auto c = bpf_ ? bpf_->counter(static_cast<uint32_t>(r.index)) : std::nullopt;
      e["connects"] = c ? json(c->connects) : json(nullptr);
      e["datagrams"] = c ? json(c->datagrams) : json(nullptr);
    } else {
      json at = {{"mechanism", "ip rule"}, {"table", r.table()}, {"rules", json::array()}};
      for (auto& f : desired_fib_rules({r})) at["rules"].push_back(f.str());
      e["attached"] = at;
      // Policy routing keeps no per-rule count: the kernel decides in its route lookup.
      e["connects"] = nullptr;
      e["datagrams"] = nullptr;
    }
    j["rules"].push_back(e);
  }
  return j;
}

namespace {

std::optional<uint32_t> lookup_user(const std::string& text) {
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && p == text.data() + text.size() && !text.empty()) return v;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwnam_r(text.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
    return std::nullopt;
  return found->pw_uid;
}

}  // namespace

json SourceSelector::test(const json& req, const Config& cfg, const Observed& obs,
                          std::string* error) const {
  auto str = [&](const char* k) -> std::string {
    return req.contains(k) && req[k].is_string() ? req[k].get<std::string>() : "";
  };
  auto dst = IpAddr::parse(str("destination"));
  if (!dst) {
    *error = "source test: \"destination\" must be an IP address";
    return {};
  }
  Identity who;
  json ident = json::object();
  if (req.contains("pid")) {
    if (!req["pid"].is_number_unsigned()) {
      *error = "source test: \"pid\" must be a process id";
      return {};
    }
    std::string pid = std::to_string(req["pid"].get<uint64_t>());
    auto cg = read_file("/proc/" + pid + "/cgroup");
    auto st = read_file("/proc/" + pid + "/status");
    if (!cg || !st) {
      *error = "source test: no process " + pid;
      return {};
    }
    who.cgroup = parse_proc_cgroup(*cg);
    who.uid = parse_status_fsuid(*st);
    ident["pid"] = req["pid"];
  }
  if (auto unit = str("unit"); !unit.empty()) {
    if (!valid_unit_name(unit)) {
      *error = "source test: '" + unit + "' is not a unit name (NAME.service, ...)";
      return {};
    }
    std::string p;
    for (auto& [i, path] : rule_cgroup_)
      if (cfg.sources.size() > i && cfg.sources[i].kind == SourceKind::Unit &&
          cfg.sources[i].selector == unit)
        p = path;
    if (p.empty())
      p = (opt_.unit_base.empty() ? "" : opt_.unit_base + "/") + unit_cgroup_path(unit);
    who.cgroup = p;
    ident["unit"] = unit;
  }
  if (auto user = str("user"); !user.empty()) {
    who.uid = lookup_user(user);
    if (!who.uid) {
      *error = "source test: no user named '" + user + "'";
      return {};
    }
    ident["user"] = user;
  }
  if (who.cgroup) ident["cgroup"] = "/" + *who.cgroup;
  if (who.uid) ident["uid"] = *who.uid;
  Decision d = decide(rule_states(cfg, obs), rule_cgroup_, who, *dst, obs);
  return {{"destination", dst->str()},
          {"identity", ident},
          {"source", d.source.empty() ? "" : d.source.str()},
          {"rule", d.rule},
          {"location", d.rule >= 0 ? cfg.sources[static_cast<size_t>(d.rule)].loc.str() : ""},
          {"mechanism", d.mechanism},
          {"why", d.why}};
}

void SourceSelector::cleanup(Log log) {
  Mounts m;
  if (auto text = read_file("/proc/self/mountinfo")) m = parse_mountinfo(*text);
  std::string dir = pin_dir_for(m, current_netns_cookie());
  if (!dir.empty())
    for (auto& line : BpfPrograms::remove_pinned(dir)) log("source rules: " + line);
  nl::Socket sock;
  if (!sock.open({}, false).ok()) return;
  auto ch = sync_fib_rules(sock, {});
  for (auto& r : ch.removed) log("source rules: removed ip rule " + r.str());
  for (auto& e : ch.errors) log("source rules: " + e);
}

}  // namespace vipa::srcsel
