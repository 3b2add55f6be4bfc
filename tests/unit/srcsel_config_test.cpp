// [[source]] in vipa.conf: the forms it takes and each refusal, with its FILE:LINE:COLUMN.
#include <gtest/gtest.h>

#include "config/config.h"

namespace vipa {
namespace {

constexpr const char* kVipas = R"([vipa.vi0]
netaddr = "10.68.6.1"
interface_names = ["en1"]
[vipa.vi1]
netaddr = "10.68.7.1"
netaddr6 = "2001:db8:7::1"
alias4 = ["10.68.7.2"]
interface_names = ["en7"]
)";

std::string err(const std::string& sources) {
  auto c = parse_config_string(std::string(kVipas) + sources, "t.conf");
  return c ? "OK" : c.error().message;
}

TEST(SourceConfig, EveryKind) {
  auto c = parse_config_string(std::string(kVipas) + R"(
[[source]]
unit = "postgresql.service"
vipa = "vi1"
[[source]]
user = "root"
vipa = "vi1"
[[source]]
user = "1000-1999"
vipa = "10.68.7.2"
[[source]]
cgroup = "/system.slice/app.slice/"
vipa = "vi1"
[[source]]
destination = "192.0.2.0/24"
vipa = "vi1"
)",
                               "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->sources.size(), 5u);
  EXPECT_EQ(c->sources[0].kind, SourceKind::Unit);
  EXPECT_EQ(c->sources[0].selector, "postgresql.service");
  EXPECT_EQ(c->sources[1].kind, SourceKind::User);
  EXPECT_EQ(c->sources[1].uid_first, 0u);
  EXPECT_EQ(c->sources[1].uid_last, 0u);
  EXPECT_EQ(c->sources[2].uid_first, 1000u);
  EXPECT_EQ(c->sources[2].uid_last, 1999u);
  EXPECT_EQ(c->sources[3].cgroup, "system.slice/app.slice");
  EXPECT_EQ(c->sources[4].destination, Prefix::parse("192.0.2.0/24"));
  EXPECT_EQ(c->sources[4].loc.str(), "t.conf:22:1");
}

TEST(SourceConfig, Refusals) {
  EXPECT_EQ(err("[[source]]\nuser = \"no-such-user-here\"\nvipa = \"vi1\"\n"),
            "t.conf:10:8: user: no user named 'no-such-user-here'");
  EXPECT_EQ(err("[[source]]\nuser = \"0\"\nvipa = \"vi9\"\n"),
            "t.conf:11:8: vipa: 'vi9' is neither a [vipa.NAME] nor one of their addresses");
  EXPECT_EQ(err("[[source]]\nuser = \"0\"\nvipa = \"10.68.9.9\"\n"),
            "t.conf:11:8: vipa: '10.68.9.9' is neither a [vipa.NAME] nor one of their addresses");
  EXPECT_EQ(err("[[source]]\nvipa = \"vi1\"\n"),
            "t.conf:9:1: [[source]] needs one of unit, user, cgroup or destination");
  EXPECT_EQ(err("[[source]]\nuser = \"0\"\nunit = \"a.service\"\nvipa = \"vi1\"\n"),
            "t.conf:9:1: [[source]] takes only one of unit, user, cgroup or destination (write "
            "one [[source]] per rule)");
  EXPECT_EQ(err("[[source]]\nuser = \"0\"\n"), "t.conf:9:1: [[source]] is missing 'vipa'");
  EXPECT_EQ(err("[[source]]\nunit = \"postgresql\"\nvipa = \"vi1\"\n"),
            "t.conf:10:8: unit: 'postgresql' is not a systemd unit with a cgroup (NAME.service, "
            ".slice, .scope, .socket, .mount or .swap)");
  EXPECT_EQ(err("[[source]]\ncgroup = \"/a/../b\"\nvipa = \"vi1\"\n"),
            "t.conf:10:10: cgroup: '/a/../b' is not a cgroup v2 path below the root (e.g. "
            "\"/system.slice/app.slice\")");
  EXPECT_EQ(err("[[source]]\ndestination = \"192.0.2.1/24\"\nvipa = \"vi1\"\n"),
            "t.conf:10:15: destination: 192.0.2.1/24 has host bits set (did you mean "
            "192.0.2.0/24?)");
  EXPECT_EQ(err("[[source]]\ndestination = \"2001:db8:1::/64\"\nvipa = \"vi0\"\n"),
            "t.conf:11:8: vipa: vi0 has no IPv6 address for 2001:db8:1::/64");
  EXPECT_EQ(err("[[source]]\nuser = \"0\"\nvipa = \"vi1\"\nport = 1\n"),
            "t.conf:12:1: unknown key 'port' in [[source]] (expected unit, user, cgroup or "
            "destination, and vipa)");
  EXPECT_EQ(err("[[source]]\nuser = \"5-1\"\nvipa = \"vi1\"\n"),
            "t.conf:10:8: user: '5-1' is not a uid range FIRST-LAST (FIRST <= LAST)");
}

// Two rules of one kind and the same specificity that could both match.
TEST(SourceConfig, OverlapsOfTheSameSpecificity) {
  EXPECT_EQ(err("[[source]]\nunit = \"a.service\"\nvipa = \"vi1\"\n"
                "[[source]]\nunit = \"a.service\"\nvipa = \"vi0\"\n"),
            "t.conf:13:8: unit: a.service already has a [[source]] rule at t.conf:9:1");
  EXPECT_EQ(err("[[source]]\ncgroup = \"/a/b\"\nvipa = \"vi1\"\n"
                "[[source]]\ncgroup = \"a/b/\"\nvipa = \"vi0\"\n"),
            "t.conf:13:10: cgroup: /a/b already has a [[source]] rule at t.conf:9:1");
  EXPECT_EQ(err("[[source]]\nuser = \"1000-1009\"\nvipa = \"vi1\"\n"
                "[[source]]\nuser = \"1005-1014\"\nvipa = \"vi0\"\n"),
            "t.conf:13:8: user: 1005-1014 overlaps 1000-1009 (as specific) at t.conf:9:1");
  EXPECT_EQ(err("[[source]]\ndestination = \"192.0.2.0/24\"\nvipa = \"vi1\"\n"
                "[[source]]\ndestination = \"192.0.2.0/24\"\nvipa = \"vi0\"\n"),
            "t.conf:13:15: destination: 192.0.2.0/24 already has a [[source]] rule at t.conf:9:1");
  // More specific rules of a kind are fine: the narrower range, the deeper cgroup, the longer
  // prefix wins.
  EXPECT_EQ(err("[[source]]\nuser = \"1000-1999\"\nvipa = \"vi1\"\n"
                "[[source]]\nuser = \"1500\"\nvipa = \"vi0\"\n"
                "[[source]]\ncgroup = \"/a\"\nvipa = \"vi1\"\n"
                "[[source]]\ncgroup = \"/a/b\"\nvipa = \"vi0\"\n"
                "[[source]]\ndestination = \"192.0.2.0/24\"\nvipa = \"vi1\"\n"
                "[[source]]\ndestination = \"192.0.2.128/25\"\nvipa = \"vi0\"\n"),
            "OK");
}

}  // namespace
}  // namespace vipa
