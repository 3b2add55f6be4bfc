// vipactl's tolerant readers of vipad's answers: a field of another type reads as empty.
#include <gtest/gtest.h>

#include "vipactl/format/json_fields.h"

namespace vipa::ctl {
namespace {

using nlohmann::json;

TEST(CtlJsonFields, StringsAndIntegersReadAsText) {
  json j = {{"s", "en1"}, {"neg", -5}, {"big", UINT64_MAX},
            {"f", 1.5},   {"b", true}, {"n", nullptr}};
  EXPECT_EQ(str_of(j, "s"), "en1");
  EXPECT_EQ(str_of(j, "neg"), "-5");
  // An unsigned counter above INT64_MAX prints as it is, not wrapped to a negative number.
  EXPECT_EQ(str_of(j, "big"), "18446744073709551615");
  EXPECT_EQ(str_of(j, "f"), "");
  EXPECT_EQ(str_of(j, "b"), "");
  EXPECT_EQ(str_of(j, "n"), "");
  EXPECT_EQ(str_of(j, "missing"), "");
  EXPECT_EQ(str_of(json::array({1}), "s"), "");
}

TEST(CtlJsonFields, IntegersOnlyWhenTheyFit) {
  json j = {{"len", 24},         {"neg", -1}, {"max", INT64_MAX},
            {"big", UINT64_MAX}, {"s", "24"}, {"f", 2.0}};
  EXPECT_EQ(int_of(j, "len"), 24);
  EXPECT_EQ(int_of(j, "neg"), -1);
  EXPECT_EQ(int_of(j, "max"), INT64_MAX);
  EXPECT_EQ(int_of(j, "big"), std::nullopt);
  EXPECT_EQ(int_of(j, "s"), std::nullopt);
  EXPECT_EQ(int_of(j, "f"), std::nullopt);
  EXPECT_EQ(int_of(j, "missing"), std::nullopt);
  EXPECT_EQ(int_of(json("x"), "len"), std::nullopt);
}

TEST(CtlJsonFields, BooleansAndArrays) {
  json j = {{"t", true}, {"f", false}, {"one", 1}, {"a", {1, 2}}, {"o", {{"k", 1}}}};
  EXPECT_TRUE(bool_of(j, "t"));
  EXPECT_FALSE(bool_of(j, "f"));
  EXPECT_FALSE(bool_of(j, "one"));
  EXPECT_FALSE(bool_of(j, "missing"));
  EXPECT_EQ(array_of(j, "a").size(), 2u);
  EXPECT_TRUE(array_of(j, "o").is_array());
  EXPECT_TRUE(array_of(j, "o").empty());
  EXPECT_TRUE(array_of(json(nullptr), "a").empty());
}

}  // namespace
}  // namespace vipa::ctl
