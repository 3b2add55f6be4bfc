// The one table of AIX VIPA attributes: every row complete, chdev's empty value and lsattr's
// rendering going through it.
#include <gtest/gtest.h>

#include <set>

#include "config/attrs.h"
#include "vipactl/format/aix_format.h"

namespace vipa {
namespace {

TEST(VipaAttrTable, RowsAreCompleteAndInLsattrOrder) {
  std::vector<std::string> keys;
  for (auto& a : vipa_attrs()) {
    keys.emplace_back(a.key);
    EXPECT_FALSE(a.description.empty()) << a.key;
    EXPECT_FALSE(a.legal.empty()) << a.key;
    EXPECT_EQ(a.legal.back(), '\n') << a.key;  // lsattr -R prints one value a line
    EXPECT_FALSE(a.empty_means.empty()) << a.key;
    EXPECT_NE(a.parse, nullptr) << a.key;
    EXPECT_NE(a.render, nullptr) << a.key;
    EXPECT_EQ(find_vipa_attr(a.key), &a);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"netaddr", "state", "netmask", "netaddr6", "alias6",
                                            "prefixlen", "alias4", "interface_names"}));
  EXPECT_EQ(vipa_attr_names(),
            "netaddr, state, netmask, netaddr6, alias6, prefixlen, alias4, interface_names");
  EXPECT_EQ(find_vipa_attr("mtu"), nullptr);
}

TEST(VipaAttrTable, EveryRowReadsBackWhatItRenders) {
  VipaConfig v;
  ASSERT_TRUE(apply_aix_attr(v, "netaddr", "10.68.6.1"));
  ASSERT_TRUE(apply_aix_attr(v, "netmask", "255.255.255.0"));
  ASSERT_TRUE(apply_aix_attr(v, "netaddr6", "2001:db8:6::1"));
  ASSERT_TRUE(apply_aix_attr(v, "prefixlen", "48"));
  ASSERT_TRUE(apply_aix_attr(v, "alias4", "10.68.6.2,255.255.255.0"));
  ASSERT_TRUE(apply_aix_attr(v, "alias6", "2001:db8:6::2/64"));
  ASSERT_TRUE(apply_aix_attr(v, "interface_names", "en1,en5"));
  ASSERT_TRUE(apply_aix_attr(v, "state", "down"));
  for (auto& a : vipa_attrs()) {
    VipaConfig w = v;
    std::string text = a.render(v);
    ASSERT_FALSE(text.empty()) << a.key;
    ASSERT_TRUE(apply_aix_attr(w, a.key, text)) << a.key << "=" << text;
    EXPECT_EQ(a.render(w), text) << a.key;
  }
}

TEST(VipaAttrTable, LsattrDescriptionsAndLegalValuesComeFromTheTable) {
  for (auto& a : vipa_attrs()) EXPECT_EQ(ctl::format_lsattr_legal(a.key), a.legal);
  EXPECT_EQ(ctl::format_lsattr_legal("mtu"), "");
  std::set<std::string_view> names(ctl::aix_attribute_names().begin(),
                                   ctl::aix_attribute_names().end());
  EXPECT_EQ(names.size(), vipa_attrs().size());
  for (auto& a : vipa_attrs()) EXPECT_TRUE(ctl::is_aix_attribute(a.key)) << a.key;
}

}  // namespace
}  // namespace vipa
