// PATH.d/*.toml drop-ins: replace, add and delete VIPAs; errors name the drop-in file.
#include <gtest/gtest.h>

#include "common/atomic_file.h"
#include "config/config.h"
#include "test_tmpdir.h"

namespace vipa {
namespace {

const char* kMain = R"(# the administrator's file
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]

[vipa.vi1]
netaddr = "10.68.7.1"
interface_names = ["en2"]

[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10
)";

class Dropin : public ::testing::Test {
 protected:
  void write(const std::string& rel, const std::string& text) {
    ASSERT_TRUE(write_file_atomic(dir_.path() + "/" + rel, text));
  }
  std::string main() const { return dir_.path() + "/vipa.conf"; }
  TempDir dir_;
};

TEST_F(Dropin, PathOfVipactlRecord) {
  EXPECT_EQ(dropin_path("/etc/vipa/vipa.conf"), "/etc/vipa/vipa.conf.d/50-vipactl.toml");
}

TEST_F(Dropin, NoDirectoryIsFine) {
  write("vipa.conf", kMain);
  auto c = load_config(main());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->vipas.size(), 2u);
  EXPECT_EQ(c->routes.size(), 1u);
  EXPECT_EQ(c->path, main());
}

TEST_F(Dropin, ReplacesWholeTableAddsAndDeletes) {
  write("vipa.conf", kMain);
  // Replaces vi0 entirely: its netmask goes back to the default.
  write("vipa.conf.d/50-vipactl.toml", R"([vipa.vi0]
netaddr = "10.68.6.5"
interface_names = ["en1"]

[vipa.vi1]
deleted = true

[vipa.vi2]
netaddr6 = "2001:db8:6::1"
interface_names = ["en3"]
)");
  auto c = load_config(main());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->vipas.size(), 2u);
  EXPECT_EQ(c->vipas[0].name, "vi0");
  EXPECT_EQ(c->vipas[0].netaddr, IpAddr::parse("10.68.6.5"));
  EXPECT_EQ(c->vipas[0].netmask_len, 32);
  EXPECT_EQ(c->vipas[0].interface_names, std::vector<std::string>{"en1"});
  EXPECT_EQ(c->vipas[0].loc.str(), dropin_path(main()) + ":1:1");
  EXPECT_EQ(c->vipas[1].name, "vi2");
  EXPECT_EQ(c->routes.size(), 1u);
}

TEST_F(Dropin, SortedOrderLaterWins) {
  write("vipa.conf", kMain);
  write("vipa.conf.d/90-late.toml",
        "[vipa.vi1]\nnetaddr = \"10.68.7.9\"\n"
        "interface_names = [\"en2\"]\n");
  write("vipa.conf.d/10-early.toml", "[vipa.vi1]\ndeleted = true\n");
  write("vipa.conf.d/README", "not toml, ignored");
  write("vipa.conf.d/.50-vipactl.toml.tmpABCDEF", "[half written");
  auto c = load_config(main());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->vipas.size(), 2u);
  EXPECT_EQ(c->vipas[1].name, "vi1");
  EXPECT_EQ(c->vipas[1].netaddr, IpAddr::parse("10.68.7.9"));
}

TEST_F(Dropin, DeletingAnUnknownVipaIsFine) {
  write("vipa.conf", kMain);
  write("vipa.conf.d/50-vipactl.toml", "[vipa.vi7]\ndeleted = true\n");
  auto c = load_config(main());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->vipas.size(), 2u);
}

TEST_F(Dropin, ValidatesMergedResultWithDropinLocation) {
  write("vipa.conf", kMain);
  write("vipa.conf.d/50-vipactl.toml",
        "[vipa.vi2]\nnetaddr = \"10.68.6.1\"\n"
        "interface_names = [\"en3\"]\n");
  auto c = load_config(main());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            dropin_path(main()) + ":2:11: netaddr: 10.68.6.1 is already used by vi0 (netaddr)");
}

TEST_F(Dropin, ConflictInMainFileReportedThere) {
  write("vipa.conf", kMain);
  write("vipa.conf.d/50-vipactl.toml",
        "[vipa.vi0]\nnetaddr = \"10.68.6.1\"\n"
        "interface_names = [\"en2\"]\n");
  auto c = load_config(main());
  ASSERT_FALSE(c);
  // vi0 (from the drop-in) now claims en2 first; vi1's en2 in the main file conflicts.
  EXPECT_EQ(c.error().message, main() + ":9:20: interface_names: en2 is already used by vi0");
}

TEST_F(Dropin, OnlyVipaTables) {
  write("vipa.conf", kMain);
  write("vipa.conf.d/50-x.toml", "\n[routing]\ndaemon = \"frr\"\n");
  auto c = load_config(main());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, dir_.path() +
                                   "/vipa.conf.d/50-x.toml:2:2: only [vipa.NAME], [[route]] and "
                                   "[dgd] tables are allowed in a drop-in, not 'routing'");
}

TEST_F(Dropin, DeletedMustBeAloneAndTrue) {
  write("vipa.conf", kMain);
  write("vipa.conf.d/50-x.toml", "[vipa.vi1]\ndeleted = false\n");
  auto c = load_config(main());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, dir_.path() +
                                   "/vipa.conf.d/50-x.toml:2:11: deleted: must be "
                                   "true (to remove the VIPA) or absent");
  write("vipa.conf.d/50-x.toml", "[vipa.vi1]\ndeleted = true\nnetaddr = \"10.68.7.1\"\n");
  c = load_config(main());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, dir_.path() +
                                   "/vipa.conf.d/50-x.toml:1:1: [vipa.vi1] with "
                                   "deleted = true must hold no other key");
}

TEST_F(Dropin, SyntaxErrorNamesTheDropin) {
  write("vipa.conf", kMain);
  write("vipa.conf.d/50-x.toml", "[vipa.vi1\n");
  auto c = load_config(main());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message.rfind(dir_.path() + "/vipa.conf.d/50-x.toml:1:", 0), 0u)
      << c.error().message;
}

TEST_F(Dropin, MissingMainFile) {
  auto c = load_config(main());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().errnum, ENOENT);
}

TEST_F(Dropin, RenderedDropinLoadsBack) {
  write("vipa.conf", kMain);
  VipaConfig v;
  v.name = "vi3";
  v.netaddr = IpAddr::parse("10.68.8.1");
  v.interface_names = {"en4"};
  ASSERT_TRUE(write_file_atomic(dropin_path(main()), render_dropin({v}, {"vi1"})));
  auto c = load_config(main());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->vipas.size(), 2u);
  EXPECT_EQ(c->vipas[0].name, "vi0");
  EXPECT_EQ(c->vipas[1].name, "vi3");
}

}  // namespace
}  // namespace vipa
