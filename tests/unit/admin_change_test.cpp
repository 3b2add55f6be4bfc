// mkdev, chdev, rmdev, route add/delete and no as decide_admin() decides them: a refusal changes
// nothing (no record, no running config); an accepted change names the record to write, and
// that record, loaded with the main file as vipad loads it at start, gives the same VIPA.
#include "core/admin_change.h"

#include <gtest/gtest.h>

#include "common/atomic_file.h"
#include "config/attrs.h"
#include "config/inet0.h"
#include "test_tmpdir.h"

namespace vipa {
namespace {

using nlohmann::json;

const char* kMain = R"([vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]

[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10
)";

class AdminChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ASSERT_TRUE(write_file_atomic(main_path(), kMain, 0644));
    auto c = load_config(main_path());
    ASSERT_TRUE(c.ok()) << c.error().message;
    running_ = std::move(c.value());
  }
  std::string main_path() const { return dir_.path() + "/vipa.conf"; }

  // The files as the daemon reads them before deciding.
  AdminFiles files() const {
    std::optional<Config> main;
    if (auto m = parse_config_file(main_path()); m.ok()) main = std::move(m.value());
    std::string inet0 = inet0_dropin_path(main_path());
    auto texts = read_config_texts(main_path());
    return {dropin_path(main_path()), inet0,
            std::move(main),          load_config(main_path()),
            read_inet0_record(inet0), texts.ok() ? *texts : std::vector<ConfigText>{}};
  }

  AdminChange decide(const json& req) {
    StatusInput now{running_, obs_, intent_, last_failover_};
    now.config_path = main_path();
    return decide_admin(req, now, files());
  }

  // Carries the change out as the daemon does: the record first, then the running config.
  void carry_out(const AdminChange& c) {
    if (c.write) {
      ASSERT_TRUE(write_file_atomic(c.write->path, c.write->text, 0644));
    }
    if (c.running) running_ = *c.running;
  }

  static void expect_refused(const AdminChange& c, const std::string& code) {
    EXPECT_FALSE(c.answer.value("ok", true)) << c.answer.dump();
    EXPECT_EQ(c.answer["error"]["code"], code) << c.answer.dump();
    EXPECT_FALSE(c.write.has_value());
    EXPECT_FALSE(c.running.has_value());
  }

  static const VipaConfig* vipa(const Config& c, const std::string& name) {
    for (auto& v : c.vipas)
      if (v.name == name) return &v;
    return nullptr;
  }

  TempDir dir_;
  Config running_;
  Observed obs_;
  Intent intent_;
  std::map<std::string, json> last_failover_;
};

TEST_F(AdminChangeTest, MkdevRecordsAVipaThatLoadsBackTheSame) {
  AdminChange c = decide(
      {{"cmd", "mkdev"},
       {"name", "vi1"},
       {"attrs",
        {{"netaddr", "10.68.7.1"}, {"netmask", "255.255.255.0"}, {"interface_names", "en2,en3"}}}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  EXPECT_EQ(c.answer["result"]["name"], "vi1");
  ASSERT_TRUE(c.write && c.running);
  EXPECT_EQ(c.write->path, dropin_path(main_path()));
  EXPECT_EQ(c.event_vipa, "vi1");
  EXPECT_EQ(c.event_message, "vi1 created by mkdev");
  EXPECT_EQ(c.why, "mkdev");
  const VipaConfig* made = vipa(*c.running, "vi1");
  ASSERT_NE(made, nullptr);
  carry_out(c);
  auto back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_NE(vipa(*back, "vi1"), nullptr);
  EXPECT_EQ(aix_attrs(*vipa(*back, "vi1")), aix_attrs(*made));
  EXPECT_EQ(aix_attrs(*vipa(*back, "vi0")), aix_attrs(*vipa(running_, "vi0")));
}

TEST_F(AdminChangeTest, MkdevRefusalsChangeNothing) {
  expect_refused(decide({{"cmd", "mkdev"}, {"name", "vi0"}, {"attrs", {{"netaddr", "10.68.9.1"}}}}),
                 "exists");
  expect_refused(decide({{"cmd", "mkdev"}, {"name", "vi1"}}), "not_found");
  expect_refused(decide({{"cmd", "mkdev"}, {"name", "a/b"}, {"attrs", {{"netaddr", "10.68.9.1"}}}}),
                 "bad_request");
  expect_refused(decide({{"cmd", "mkdev"}, {"name", "vi1"}, {"attrs", "netaddr=10.68.9.1"}}),
                 "bad_request");
  expect_refused(decide({{"cmd", "mkdev"}, {"name", "vi1"}, {"attrs", {{"netaddr", 1}}}}),
                 "bad_request");
  expect_refused(decide({{"cmd", "mkdev"}, {"name", "vi1"}, {"attrs", {{"netmask", "255.0.0.0"}}}}),
                 "invalid");
  expect_refused(decide({{"cmd", "mkdev"}, {"name", "vi1"}, {"attrs", {{"bogus", "1"}}}}),
                 "invalid");
}

TEST_F(AdminChangeTest, MkdevOfAnAddressInUseIsRefusedWithItsLocation) {
  AdminChange c = decide({{"cmd", "mkdev"},
                          {"name", "vi1"},
                          {"attrs", {{"netaddr", "10.68.6.1"}, {"interface_names", "en9"}}}});
  expect_refused(c, "invalid");
  std::string msg = c.answer["error"]["message"].get<std::string>();
  EXPECT_NE(msg.find("10.68.6.1"), std::string::npos) << msg;
  EXPECT_NE(msg.find(":"), std::string::npos) << msg;  // FILE:LINE:COLUMN or the VIPA's name
}

TEST_F(AdminChangeTest, ChdevChangesTheRunningConfigAndTheRecord) {
  AdminChange c =
      decide({{"cmd", "chdev"}, {"name", "vi0"}, {"attrs", {{"netmask", "255.255.0.0"}}}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  ASSERT_TRUE(c.write && c.running);
  EXPECT_EQ(vipa(*c.running, "vi0")->netmask_len, 16);
  EXPECT_EQ(c.event_message, "vi0 changed by chdev");
  carry_out(c);
  auto back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(aix_attrs(*vipa(*back, "vi0")), aix_attrs(*vipa(running_, "vi0")));
}

TEST_F(AdminChangeTest, ChdevRunningOnlyWritesNothing) {
  AdminChange c = decide({{"cmd", "chdev"},
                          {"name", "vi0"},
                          {"mode", "running"},
                          {"attrs", {{"netmask", "255.255.0.0"}}}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  EXPECT_FALSE(c.write.has_value());
  ASSERT_TRUE(c.running.has_value());
  EXPECT_EQ(vipa(*c.running, "vi0")->netmask_len, 16);
}

TEST_F(AdminChangeTest, AChangeThatWouldLeaveARecordThatDoesNotLoadIsRefused) {
  // chdev -T moves vi0 away from 10.68.6.1 at run time only; the record still gives vi0 that
  // address, so a new VIPA on it is valid for what runs but would make the next start refuse
  // the record: refused, and nothing is written.
  AdminChange t = decide({{"cmd", "chdev"},
                          {"name", "vi0"},
                          {"mode", "running"},
                          {"attrs", {{"netaddr", "10.68.6.9"}}}});
  ASSERT_TRUE(t.answer.value("ok", false)) << t.answer.dump();
  carry_out(t);
  AdminChange c = decide({{"cmd", "mkdev"},
                          {"name", "vi1"},
                          {"attrs", {{"netaddr", "10.68.6.1"}, {"interface_names", "en9"}}}});
  expect_refused(c, "invalid");
  EXPECT_NE(c.answer.dump().find("the record would not load at the next start"), std::string::npos)
      << c.answer.dump();
  auto back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(vipa(*back, "vi1"), nullptr);
}

TEST_F(AdminChangeTest, ChdevRecordOnlyLeavesTheRunningConfig) {
  AdminChange c = decide({{"cmd", "chdev"},
                          {"name", "vi0"},
                          {"mode", "record"},
                          {"attrs", {{"netmask", "255.255.0.0"}}}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  EXPECT_FALSE(c.running.has_value());
  ASSERT_TRUE(c.write.has_value());
  EXPECT_EQ(c.answer["result"]["netmask"], "255.255.0.0") << c.answer.dump();
  carry_out(c);
  EXPECT_EQ(vipa(running_, "vi0")->netmask_len, 24);
  auto back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(vipa(*back, "vi0")->netmask_len, 16);
}

TEST_F(AdminChangeTest, ChdevRefusalsChangeNothing) {
  expect_refused(decide({{"cmd", "chdev"}, {"name", "vi9"}, {"attrs", {{"netmask", "255.0.0.0"}}}}),
                 "not_found");
  expect_refused(decide({{"cmd", "chdev"}, {"name", "vi0"}}), "bad_request");
  expect_refused(decide({{"cmd", "chdev"},
                         {"name", "vi0"},
                         {"mode", "later"},
                         {"attrs", {{"netmask", "255.0.0.0"}}}}),
                 "bad_request");
  expect_refused(
      decide({{"cmd", "chdev"}, {"name", "vi0"}, {"attrs", {{"netmask", "255.0.255.0"}}}}),
      "invalid");
  // A field of the wrong type is answered, never thrown.
  AdminChange c = decide(
      {{"cmd", "chdev"}, {"name", "vi0"}, {"mode", 3}, {"attrs", {{"netmask", "255.0.0.0"}}}});
  expect_refused(c, "bad_request");
  EXPECT_EQ(c.answer["error"]["message"].get<std::string>().rfind("malformed request: ", 0), 0u);
}

TEST_F(AdminChangeTest, RmdevOfAnUnknownVipaIsRefused) {
  expect_refused(decide({{"cmd", "rmdev"}, {"name", "vi9"}}), "not_found");
  expect_refused(decide({{"cmd", "rmdev"}}), "bad_request");
  expect_refused(decide({{"cmd", "rmdev"}, {"name", "vi0"}, {"delete", "yes"}}), "bad_request");
}

TEST_F(AdminChangeTest, RmdevLeavesTheVipaDefined) {
  AdminChange c = decide({{"cmd", "rmdev"}, {"name", "vi0"}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  ASSERT_TRUE(c.write && c.running);
  EXPECT_EQ(vipa(*c.running, "vi0")->state, VipaState::Detach);
  EXPECT_EQ(c.event_message, "vi0 detached by rmdev");
  carry_out(c);
  auto back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_NE(vipa(*back, "vi0"), nullptr);
  EXPECT_EQ(vipa(*back, "vi0")->state, VipaState::Detach);
}

TEST_F(AdminChangeTest, RmdevDeleteRecordsATombstoneForTheMainFilesVipa) {
  AdminChange c = decide({{"cmd", "rmdev"}, {"name", "vi0"}, {"delete", true}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  ASSERT_TRUE(c.write && c.running);
  EXPECT_EQ(vipa(*c.running, "vi0"), nullptr);
  EXPECT_EQ(c.event_message, "vi0 deleted by rmdev -d");
  carry_out(c);
  auto back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(vipa(*back, "vi0"), nullptr);
  // mkdev brings it back (the tombstone goes with the new table).
  AdminChange again =
      decide({{"cmd", "mkdev"}, {"name", "vi0"}, {"attrs", {{"netaddr", "10.68.6.1"}}}});
  ASSERT_TRUE(again.answer.value("ok", false)) << again.answer.dump();
  carry_out(again);
  back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_NE(vipa(*back, "vi0"), nullptr);
}

TEST_F(AdminChangeTest, RouteAddRecordsTheRouteInTheInet0Record) {
  AdminChange c = decide({{"cmd", "route"},
                          {"op", "add"},
                          {"route", {{"destination", "10.68.20.0/24"}, {"gateway", "10.68.1.3"}}}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  ASSERT_TRUE(c.write && c.running);
  EXPECT_EQ(c.write->path, inet0_dropin_path(main_path()));
  EXPECT_EQ(c.running->routes.size(), 2u);
  EXPECT_EQ(c.event_message, "route add 10.68.20.0/24 via 10.68.1.3");
  EXPECT_EQ(c.answer["result"]["route"]["destination"], "10.68.20.0/24");
  carry_out(c);
  auto back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->routes.size(), 2u);
  EXPECT_TRUE(same_route(back->routes[1], running_.routes[1]));
  // The same route again: refused, nothing changed.
  expect_refused(decide({{"cmd", "route"},
                         {"op", "add"},
                         {"route", {{"destination", "10.68.20.0/24"}, {"gateway", "10.68.1.3"}}}}),
                 "exists");
}

TEST_F(AdminChangeTest, RouteDeleteOfTheMainFilesRouteRecordsATombstone) {
  AdminChange c = decide({{"cmd", "route"},
                          {"op", "delete"},
                          {"route", {{"destination", "default"}, {"gateway", "10.68.1.2"}}}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  EXPECT_EQ(c.answer["result"]["route"]["metric"], 10);  // the configured route it removed
  carry_out(c);
  EXPECT_TRUE(running_.routes.empty());
  auto back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->routes.empty());
}

TEST_F(AdminChangeTest, RouteRefusalsChangeNothing) {
  expect_refused(decide({{"cmd", "route"},
                         {"op", "delete"},
                         {"route", {{"destination", "10.68.30.0/24"}, {"gateway", "10.68.1.2"}}}}),
                 "not_found");
  expect_refused(decide({{"cmd", "route"}, {"op", "move"}, {"route", json::object()}}),
                 "bad_request");
  expect_refused(decide({{"cmd", "route"}, {"op", "add"}}), "invalid");
  expect_refused(decide({{"cmd", "route"},
                         {"op", "add"},
                         {"route", {{"destination", "10.68.30.0/24"}, {"gateway", "nowhere"}}}}),
                 "invalid");
  expect_refused(
      decide({{"cmd", "route"},
              {"op", "add"},
              {"route",
               {{"destination", "10.68.30.0/24"}, {"host", true}, {"gateway", "10.68.1.2"}}}}),
      "invalid");
  expect_refused(
      decide({{"cmd", "route"},
              {"op", "add"},
              {"route",
               {{"destination", "10.68.30.0/24"}, {"host", "no"}, {"gateway", "10.68.1.2"}}}}),
      "bad_request");
}

TEST_F(AdminChangeTest, RouteRecordOnlyWhenTheRecordDoesNotLoadIsRefused) {
  ASSERT_TRUE(write_file_atomic(inet0_dropin_path(main_path()), "[[route]\n", 0644));
  expect_refused(decide({{"cmd", "route"},
                         {"op", "add"},
                         {"mode", "record"},
                         {"route", {{"destination", "10.68.20.0/24"}, {"gateway", "10.68.1.3"}}}}),
                 "invalid");
  // The running config alone can still change.
  AdminChange c = decide({{"cmd", "route"},
                          {"op", "add"},
                          {"mode", "running"},
                          {"route", {{"destination", "10.68.20.0/24"}, {"gateway", "10.68.1.3"}}}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  EXPECT_FALSE(c.write.has_value());
  EXPECT_TRUE(c.running.has_value());
}

// ----- no (inet0's dead gateway detection tunables) ----------------------------------------

TEST_F(AdminChangeTest, NoChangesTheRunningTunablesAndRecordsThem) {
  AdminChange c = decide({{"cmd", "no"}, {"set", {{"ping_time_ms", 250}, {"packets_lost", 5}}}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  EXPECT_EQ(c.answer["result"]["dgd"]["ping_time_ms"], 250);
  EXPECT_EQ(c.answer["result"]["dgd"]["packets_lost"], 5);
  ASSERT_TRUE(c.running.has_value());
  EXPECT_EQ(c.running->dgd.ping_time_ms, 250u);
  EXPECT_EQ(c.running->dgd.retry_time_ms, running_.dgd.retry_time_ms);
  EXPECT_EQ(c.why, "no");
  ASSERT_TRUE(c.write.has_value());
  EXPECT_EQ(c.write->path, inet0_dropin_path(main_path()));
  carry_out(c);
  // What a restart runs: the main file and the record give the same tunables.
  auto back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->dgd.ping_time_ms, 250u);
  EXPECT_EQ(back->dgd.packets_lost, 5u);
  // A second change keeps the first one's keys in the record.
  carry_out(decide({{"cmd", "no"}, {"set", {{"passive_dgd", true}}}}));
  back = load_config(main_path());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->dgd.ping_time_ms, 250u);
  EXPECT_TRUE(back->dgd.passive_dgd);
}

TEST_F(AdminChangeTest, NoModesRecordOnlyOrRunOnly) {
  AdminChange run = decide({{"cmd", "no"}, {"mode", "running"}, {"set", {{"retry_time_ms", 50}}}});
  ASSERT_TRUE(run.answer.value("ok", false)) << run.answer.dump();
  EXPECT_FALSE(run.write.has_value());
  ASSERT_TRUE(run.running.has_value());
  EXPECT_EQ(run.running->dgd.retry_time_ms, 50u);
  AdminChange rec = decide({{"cmd", "no"}, {"mode", "record"}, {"set", {{"retry_time_ms", 60}}}});
  ASSERT_TRUE(rec.answer.value("ok", false)) << rec.answer.dump();
  EXPECT_TRUE(rec.write.has_value());
  EXPECT_FALSE(rec.running.has_value());
  EXPECT_EQ(rec.answer["result"]["dgd"]["retry_time_ms"], 60);
}

TEST_F(AdminChangeTest, NoRefusalsChangeNothing) {
  expect_refused(decide({{"cmd", "no"}, {"mode", "later"}, {"set", {{"ping_time_ms", 200}}}}),
                 "bad_request");
  expect_refused(decide({{"cmd", "no"}}), "bad_request");
  expect_refused(decide({{"cmd", "no"}, {"set", json::object()}}), "bad_request");
  expect_refused(decide({{"cmd", "no"}, {"set", {{"ping_time_ms", 5}}}}), "invalid");
  expect_refused(decide({{"cmd", "no"}, {"set", {{"packets_lost", 0}}}}), "invalid");
  expect_refused(decide({{"cmd", "no"}, {"set", {{"ping_time_ms", -100}}}}), "invalid");
  expect_refused(decide({{"cmd", "no"}, {"set", {{"ping_time_ms", 5000000000ULL}}}}), "invalid");
  expect_refused(decide({{"cmd", "no"}, {"set", {{"ping_time_ms", "100"}}}}), "invalid");
  expect_refused(decide({{"cmd", "no"}, {"set", {{"passive_dgd", 1}}}}), "invalid");
  // One bad key refuses the whole request, also the good keys before it.
  expect_refused(decide({{"cmd", "no"}, {"set", {{"dgd_flush", 1}, {"ping_time_ms", 200}}}}),
                 "invalid");
  AdminChange c = decide({{"cmd", "no"}, {"set", {{"ping_time_ms", 5}}}});
  EXPECT_NE(c.answer["error"]["message"].get<std::string>().find("below the minimum of 10"),
            std::string::npos)
      << c.answer.dump();
}

TEST_F(AdminChangeTest, NoWithARecordThatDoesNotLoadRecordsNothing) {
  ASSERT_TRUE(write_file_atomic(inet0_dropin_path(main_path()), "[[route]\n", 0644));
  expect_refused(decide({{"cmd", "no"}, {"set", {{"ping_time_ms", 200}}}}), "invalid");
  AdminChange c = decide({{"cmd", "no"}, {"mode", "running"}, {"set", {{"ping_time_ms", 200}}}});
  ASSERT_TRUE(c.answer.value("ok", false)) << c.answer.dump();
  EXPECT_FALSE(c.write.has_value());
}

}  // namespace
}  // namespace vipa
