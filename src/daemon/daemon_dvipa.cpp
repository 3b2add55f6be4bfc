// Dynamic VIPAs in the daemon: the manager's start and its control commands.
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>

#include "daemon/daemon.h"
#include "daemon/log.h"
#include "nl/route.h"

namespace vipa {

using nlohmann::json;

void Daemon::start_dvipa() {
  dvipa_ = std::make_unique<DvipaManager>(
      ev_, &cache_.obs(), hooks_.get(),
      [this](const std::string& event, const std::string&, const std::string& message, json extra) {
        emit(event, "", message, std::move(extra));
      },
      [this] { schedule("dvipa"); });
  // The routing daemons' routes never reach vipad's cache: delay_join asks the kernel itself.
  dvipa_->set_route_probe([this](const std::vector<int>& oifs, uint8_t family) {
    bool found = false;
    auto fn = [&](const nlmsghdr* nlh) {
      if (found) return;
      auto r = nl::decode_route(nlh);
      if (!r || r->table != RT_TABLE_MAIN || r->protocol == RTPROT_KERNEL || r->type != RTN_UNICAST)
        return;
      for (int o : r->oifs())
        if (std::find(oifs.begin(), oifs.end(), o) != oifs.end()) found = true;
    };
    Status s = req_.dump_routes(family, RT_TABLE_MAIN, 0, fn);
    if (!s.ok() && s.error().errnum == ENOPROTOOPT) s = req_.dump(RTM_GETROUTE, family, fn);
    if (!s.ok()) log::warn("dvipa: reading the main table for delay_join: " + s.error().message);
    return found;
  });
  {
    const std::string& st = store_.path();
    auto slash = st.rfind('/');
    dvipa_->set_withdrawn_path(
        (slash == std::string::npos ? std::string(".") : st.substr(0, slash)) +
        "/vipad.dvipa.json");
  }
  dvipa_->configure(cfg_);
}

json Daemon::dvipa_request(const json& req, bool privileged) {
  const std::string cmd = req["cmd"].get<std::string>();
  auto ok = [](json result) { return json{{"v", 1}, {"ok", true}, {"result", std::move(result)}}; };
  std::string name;
  if (req.contains("name")) {
    if (!req["name"].is_string())
      return error_answer("bad_request", cmd + ": \"name\" must be a string");
    name = req["name"].get<std::string>();
  }
  if (!dvipa_) return error_answer("internal", "Dynamic VIPAs are not running");
  if (cmd == "dvipa") {
    json r = dvipa_->status_json(name);
    if (!name.empty() && r["dvipas"].empty())
      return error_answer("not_found", "no DVIPA named " + name);
    return ok(r);
  }
  if (cmd == "netstat_vipadyn") return ok(dvipa_->vipadyn_json());
  if (cmd == "dvipa_connections") {
    if (name.empty()) return error_answer("bad_request", cmd + ": missing \"name\"");
    Result<json> r = dvipa_->connections_json(name);
    if (!r.ok())
      return error_answer(r.error().message.rfind("no DVIPA", 0) == 0 ? "not_found" : "internal",
                          r.error().message);
    return ok(*r);
  }
  if (cmd != "dvipa_withdraw" && cmd != "dvipa_resume" && cmd != "dvipa_takeback" &&
      cmd != "dvipa_drain")
    return error_answer("unknown_command", "unknown command '" + cmd + "'");
  if (!privileged)
    return error_answer("permission_denied",
                        cmd + ": permission denied (only root may change DVIPAs)");
  if (name.empty()) return error_answer("bad_request", cmd + ": missing \"name\"");
  Result<json> r = cmd == "dvipa_drain"      ? dvipa_->drain(name)
                   : cmd == "dvipa_withdraw" ? dvipa_->withdraw(name)
                   : cmd == "dvipa_resume"   ? dvipa_->resume(name)
                                             : dvipa_->takeback(name);
  if (!r.ok()) return error_answer("not_found", r.error().message);
  std::string verb = cmd.substr(6);
  emit("dvipa_" + verb, "", name + ": " + verb + " asked by vipactl", {{"dvipa", name}});
  return ok(*r);
}

}  // namespace vipa
