// inet0's record (routes and dgd tunables from vipactl route / chdev -l inet0 / no -p|-r): a
// drop-in's [[route]] and [dgd] tables on top of the main file, and the record's round trip.
#include "config/inet0.h"

#include <gtest/gtest.h>

#include "common/atomic_file.h"
#include "config/values.h"
#include "test_tmpdir.h"

namespace vipa {
namespace {

const char* kMain = R"([vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]

[dgd]
ping_time_ms = 200
packets_lost = 4

[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10

[[route]]
destination = "default"
gateway = "10.68.5.2"
metric = 20
)";

class Inet0 : public ::testing::Test {
 protected:
  void write(const std::string& rel, const std::string& text) {
    ASSERT_TRUE(write_file_atomic(dir_.path() + "/" + rel, text));
  }
  std::string main() const { return dir_.path() + "/vipa.conf"; }
  TempDir dir_;
};

RouteConfig route(const char* dest, const char* gw, uint32_t metric = 0) {
  RouteConfig r;
  r.destination = *parse_destination(dest);
  r.family = r.destination->addr.family;
  r.gateway = *parse_ip_value(gw);
  r.metric = metric;
  return r;
}

TEST_F(Inet0, Path) {
  EXPECT_EQ(inet0_dropin_path("/etc/vipa/vipa.conf"),
            "/etc/vipa/vipa.conf.d/50-vipactl-inet0.toml");
}

TEST_F(Inet0, DropinAddsDeletesAndOverrides) {
  write("vipa.conf", kMain);
  write("vipa.conf.d/50-vipactl-inet0.toml", R"([dgd]
ping_time_ms = 50
passive_dgd = true

[[route]]
deleted = true
destination = "default"
gateway = "10.68.1.2"

[[route]]
destination = "10.68.7.0/24"
gateway = "10.68.5.2"
metric = 1
active_dgd = true
)");
  auto c = load_config(main());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->routes.size(), 2u);
  EXPECT_EQ(c->routes[0].gateway->str(), "10.68.5.2");
  EXPECT_EQ(c->routes[1].destination->str(), "10.68.7.0/24");
  EXPECT_TRUE(c->routes[1].active_dgd);
  EXPECT_EQ(c->dgd.ping_time_ms, 50u);
  EXPECT_EQ(c->dgd.packets_lost, 4u);  // the main file's, not overridden
  EXPECT_TRUE(c->dgd.passive_dgd);
}

TEST_F(Inet0, DropinRouteErrorsNameTheDropin) {
  write("vipa.conf", kMain);
  write("vipa.conf.d/50-vipactl-inet0.toml",
        "[[route]]\ndestination = \"10.68.7.0/24\"\ngateway = \"nope\"\n");
  auto c = load_config(main());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("50-vipactl-inet0.toml:3:"), std::string::npos)
      << c.error().message;
  write("vipa.conf.d/50-vipactl-inet0.toml",
        "[[route]]\ndeleted = false\ndestination = \"default\"\n");
  c = load_config(main());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("deleted: must be true"), std::string::npos);
  write("vipa.conf.d/50-vipactl-inet0.toml", "[dgd]\nping_time_ms = 5\n");
  c = load_config(main());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("50-vipactl-inet0.toml:2:16: ping_time_ms"), std::string::npos)
      << c.error().message;
}

TEST_F(Inet0, RecordRoundTrips) {
  Inet0Record r;
  r.ping_time_ms = 2000;
  r.passive_dgd = false;
  RouteConfig a = route("10.68.7.0/24", "10.68.5.2", 1);
  a.active_dgd = true;
  a.interface = "en5";
  record_route_add(r, a);
  record_route_delete(r, route("default", "10.68.1.2"), /*in_main_file=*/true);
  write("vipa.conf", kMain);
  write("vipa.conf.d/50-vipactl-inet0.toml", render_inet0(r));
  auto back = read_inet0_record(dir_.path() + "/vipa.conf.d/50-vipactl-inet0.toml");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->ping_time_ms, 2000u);
  EXPECT_EQ(back->passive_dgd, false);
  EXPECT_FALSE(back->packets_lost);
  ASSERT_EQ(back->routes.size(), 1u);
  EXPECT_TRUE(same_route(back->routes[0], a));
  EXPECT_EQ(back->routes[0].metric, 1u);
  EXPECT_TRUE(back->routes[0].active_dgd);
  ASSERT_EQ(back->deleted.size(), 1u);
  auto c = load_config(main());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->routes.size(), 2u);  // 10.68.5.2 from the main file, then 10.68.7.0/24
  EXPECT_EQ(c->dgd.ping_time_ms, 2000u);
}

TEST_F(Inet0, DeletingARecordedRouteLeavesNoTombstone) {
  Inet0Record r;
  RouteConfig a = route("10.68.7.0/24", "10.68.5.2");
  record_route_add(r, a);
  record_route_delete(r, a, /*in_main_file=*/false);
  EXPECT_TRUE(r.empty());
  // Re-adding a deleted main-file route drops its tombstone instead of adding a copy.
  RouteConfig d = route("default", "10.68.1.2", 10);
  record_route_delete(r, d, true);
  record_route_add(r, d);
  EXPECT_TRUE(r.deleted.empty());
  EXPECT_EQ(r.routes.size(), 1u);
}

TEST_F(Inet0, MissingRecordIsEmpty) {
  auto r = read_inet0_record(dir_.path() + "/none.toml");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace vipa
