// [dvipa.NAME] peers and moving_timeout_ms: values, defaults, and each bad value's
// FILE:LINE:COLUMN.
#include <gtest/gtest.h>

#include "config/config.h"

namespace vipa {
namespace {

std::string err(std::string_view body) {
  std::string text =
      "[routing]\ndaemon = \"frr\"\n[dvipa.web]\naddress = \"10.68.9.1\"\nrank = 200\n";
  text += body;
  auto c = parse_config_string(text, "t.conf");
  return c ? "OK" : c.error().message;
}

TEST(MovesConfig, PeersAndTimeout) {
  auto c = parse_config_string(R"([routing]
daemon = "frr"
[dvipa.web]
address = "10.68.9.1"
rank = 200
peers = [{ id = "10.68.255.11", address = "10.68.41.1" },
         { id = "65082", address = "10.68.42.1" }]
moving_timeout_ms = 30000
)",
                               "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->dvipas.size(), 1u);
  const auto& d = c->dvipas[0];
  ASSERT_EQ(d.peers.size(), 2u);
  EXPECT_EQ(d.peers[0].id, "10.68.255.11");
  EXPECT_EQ(d.peers[0].address, "10.68.41.1");
  EXPECT_EQ(d.peers[1].id, "65082");
  EXPECT_EQ(d.moving_timeout_ms, 30000u);
}

TEST(MovesConfig, Defaults) {
  auto c = parse_config_string(
      "[routing]\ndaemon = \"frr\"\n[dvipa.web]\naddress = \"10.68.9.1\"\nrank = 200\n", "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->dvipas[0].peers.empty());
  EXPECT_EQ(c->dvipas[0].moving_timeout_ms, 600'000u);
}

TEST(MovesConfig, BadValuesAreLocated) {
  EXPECT_EQ(err("peers = \"10.68.41.1\"\n"),
            "t.conf:6:9: peers: expected an array of { id = \"...\", address = \"...\" }");
  EXPECT_EQ(err("peers = [\"10.68.41.1\"]\n"),
            "t.conf:6:10: peers: expected { id = \"...\", address = \"...\" }");
  EXPECT_EQ(err("peers = [{ id = \"a\", address = \"10.68.41\" }]\n").substr(0, 35),
            "t.conf:6:32: peers: address: '10.68");
  EXPECT_EQ(err("peers = [{ id = \"a\", address = \"2001:db8::1\" }]\n").substr(0, 30),
            "t.conf:6:32: peers: address: '");
  EXPECT_EQ(err("peers = [{ id = \"a\" }]\n"),
            "t.conf:6:10: peers: a peer without 'address' (IPv4)");
  EXPECT_EQ(err("peers = [{ address = \"10.68.41.1\" }]\n"),
            "t.conf:6:10: peers: a peer without 'id' (its router ID or AS)");
  EXPECT_EQ(err("peers = [{ id = \"a\", address = \"10.68.41.1\", port = 1 }]\n"),
            "t.conf:6:46: peers: unknown key 'port' (id, address)");
  EXPECT_EQ(err("peers = [{ id = \"a\", address = \"10.68.41.1\" }, { id = \"a\", address = "
                "\"10.68.42.1\" }]\n"),
            "t.conf:6:55: peers: id 'a' appears twice");
  EXPECT_EQ(err("peers = [{ id = \"\", address = \"10.68.41.1\" }]\n"),
            "t.conf:6:17: peers: id: expected a non-empty string");
  EXPECT_EQ(err("moving_timeout_ms = 10\n"),
            "t.conf:6:21: moving_timeout_ms: 10 is out of range (1000..86400000)");
  auto v6 = parse_config_string(
      "[routing]\ndaemon = \"frr\"\n[dvipa.web]\naddress = \"2001:db8::9\"\nrank = 200\n"
      "peers = [{ id = \"a\", address = \"10.68.41.1\" }]\n",
      "t.conf");
  ASSERT_FALSE(v6);
  EXPECT_EQ(v6.error().message,
            "t.conf:3:1: [dvipa.web]: peers: moves are forwarded for IPv4 DVIPAs only");
}

}  // namespace
}  // namespace vipa
