// Changing control commands: mkdev, chdev, rmdev (AIX's device commands), route add/delete, no
// and reload. What a change does is decided by core/admin_change.h; here the files it needs are
// read, the record it names is written (atomically), and only then does the running state
// take the new config.
#include "common/atomic_file.h"
#include "config/inet0.h"
#include "core/admin_change.h"
#include "daemon/daemon.h"
#include "daemon/dgd_monitor.h"

namespace vipa {

using nlohmann::json;

json Daemon::cmd_admin(const json& req) {
  std::optional<Config> main;
  if (auto m = parse_config_file(opt_.config_path); m.ok()) main = std::move(m.value());
  std::string inet0_path = inet0_dropin_path(opt_.config_path);
  auto texts = read_config_texts(opt_.config_path);
  AdminFiles files{dropin_path(opt_.config_path),
                   inet0_path,
                   std::move(main),
                   texts.ok() ? load_config_texts(*texts) : Result<Config>(texts.error()),
                   read_inet0_record(inet0_path),
                   texts.ok() ? *texts : std::vector<ConfigText>{}};
  AdminChange c = decide_admin(req, status_input(), files);
  if (c.write)
    if (Status w = write_file_atomic(c.write->path, c.write->text, 0644); !w.ok())
      return error_answer(c.write->error_code, w.error().message);
  if (c.running) {
    cfg_ = std::move(*c.running);
    if (gw_) gw_->configure(cfg_.dgd);  // no: new probe timing (unchanged timing: nothing)
    emit("reload", c.event_vipa, c.event_message);
    schedule(c.why.c_str());
  }
  return c.answer;
}

json Daemon::cmd_reload() {
  Status s = reload();
  if (!s.ok()) return error_answer("invalid", s.error().message);
  return {{"v", 1}, {"ok", true}, {"result", json::object()}};
}

}  // namespace vipa
