// render_vipa_toml() and render_dropin(): what vipad writes must read back unchanged.
#include <gtest/gtest.h>

#include "config/config.h"

namespace vipa {
namespace {

void expect_same(const VipaConfig& a, const VipaConfig& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.netaddr, b.netaddr);
  EXPECT_EQ(a.netmask_len, b.netmask_len);
  EXPECT_EQ(a.alias4, b.alias4);
  EXPECT_EQ(a.netaddr6, b.netaddr6);
  EXPECT_EQ(a.prefixlen, b.prefixlen);
  EXPECT_EQ(a.alias6, b.alias6);
  EXPECT_EQ(a.interface_names, b.interface_names);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.advertise, b.advertise);
  EXPECT_EQ(a.notify, b.notify);
}

VipaConfig full_vipa() {
  VipaConfig v;
  v.name = "vi0";
  v.netaddr = IpAddr::parse("10.68.6.1");
  v.netmask_len = 24;
  v.alias4 = {*Prefix::parse("10.68.6.2/24"), *Prefix::parse("10.68.7.1/25")};
  v.netaddr6 = IpAddr::parse("2001:db8:6::1");
  v.prefixlen = 56;
  v.alias6 = {*Prefix::parse("2001:db8:6::2/64")};
  v.interface_names = {"en1", "en5"};
  v.state = VipaState::Detach;
  v.kind = LinkKind::Dummy;
  v.advertise = Advertise::Subnet;
  v.notify = "/usr/local/bin/hook \"quoted\"\\";
  return v;
}

TEST(Render, SeedVipaText) {
  VipaConfig v;
  v.name = "vi0";
  v.netaddr = IpAddr::parse("10.68.6.1");
  v.netmask_len = 24;
  v.interface_names = {"en1", "en5"};
  EXPECT_EQ(render_vipa_toml(v), R"([vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]
state = "up"
alias4 = []
prefixlen = 64
alias6 = []
kind = "auto"
advertise = "host"
)");
}

TEST(Render, RoundTripEveryField) {
  VipaConfig v = full_vipa();
  std::string text = render_vipa_toml(v);
  auto c = parse_config_string(text, "r.toml");
  ASSERT_TRUE(c) << c.error().message << "\n" << text;
  ASSERT_EQ(c->vipas.size(), 1u);
  expect_same(c->vipas[0], v);
}

TEST(Render, RoundTripIPv6OnlyAndOddName) {
  VipaConfig v;
  v.name = "vi.0-x";
  v.netaddr6 = IpAddr::parse("2001:db8::1");
  std::string text = render_vipa_toml(v);
  EXPECT_EQ(text.substr(0, text.find('\n')), "[vipa.\"vi.0-x\"]");
  auto c = parse_config_string(text, "r.toml");
  ASSERT_TRUE(c) << c.error().message << "\n" << text;
  expect_same(c->vipas[0], v);
}

TEST(Render, DropinHeaderTablesAndDeletions) {
  VipaConfig v;
  v.name = "vi1";
  v.netaddr = IpAddr::parse("10.68.7.1");
  std::string text = render_dropin({v}, {"vi2"});
  EXPECT_EQ(text.rfind("# Written by vipad for vipactl mkdev/chdev/rmdev. Edit with vipactl, or "
                       "delete this file to drop those changes.\n",
                       0),
            0u);
  EXPECT_NE(text.find("\n[vipa.vi1]\nnetaddr = \"10.68.7.1\"\n"), std::string::npos);
  EXPECT_NE(text.find("\n[vipa.vi2]\ndeleted = true\n"), std::string::npos);
}

TEST(Render, EmptyDropin) {
  EXPECT_EQ(render_dropin({}, {}),
            "# Written by vipad for vipactl mkdev/chdev/rmdev. Edit with vipactl, or delete this "
            "file to drop those changes.\n");
}

}  // namespace
}  // namespace vipa
