// The paging rule of the long answers: offset/limit of a request, total/next of an answer, and
// the client's way of following next.
#include "core/paging.h"

#include <gtest/gtest.h>

namespace vipa {
namespace {

using nlohmann::json;

TEST(Paging, DefaultsToTheFirstFullPage) {
  auto p = parse_page(json{{"cmd", "routes"}}, "routes");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->offset, 0u);
  EXPECT_EQ(p->limit, control::kRoutesPerAnswer);
}

TEST(Paging, ReadsOffsetAndLimit) {
  auto p = parse_page(json{{"offset", 4096}, {"limit", 10}}, "routes");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->offset, 4096u);
  EXPECT_EQ(p->limit, 10u);
  auto max = parse_page(json{{"limit", control::kRoutesPerAnswer}}, "routes");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->limit, control::kRoutesPerAnswer);
}

TEST(Paging, RefusesWrongTypesAndLimitsNamingTheField) {
  struct Case {
    json req;
    const char* field;
  } cases[] = {
      {{{"offset", -1}}, "\"offset\""},
      {{{"offset", "3"}}, "\"offset\""},
      {{{"offset", 1.5}}, "\"offset\""},
      {{{"offset", nullptr}}, "\"offset\""},
      {{{"limit", 0}}, "\"limit\""},
      {{{"limit", -5}}, "\"limit\""},
      {{{"limit", "10"}}, "\"limit\""},
      {{{"limit", true}}, "\"limit\""},
      {{{"limit", control::kRoutesPerAnswer + 1}}, "\"limit\""},
      {{{"limit", json::array({1})}}, "\"limit\""},
  };
  for (auto& c : cases) {
    auto p = parse_page(c.req, "route_costs");
    ASSERT_FALSE(p) << c.req.dump();
    EXPECT_NE(p.error().message.find("route_costs: "), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().message.find(c.field), std::string::npos) << p.error().message;
  }
}

TEST(Paging, AMaximumOtherThanTheDefault) {
  EXPECT_TRUE(parse_page(json{{"limit", 3}}, "x", 3));
  EXPECT_FALSE(parse_page(json{{"limit", 4}}, "x", 3));
  EXPECT_EQ(parse_page(json::object(), "x", 3)->limit, 3u);
}

TEST(Paging, HoldsTheItemsOfThePage) {
  Page p{10, 5};
  EXPECT_FALSE(p.holds(9));
  EXPECT_TRUE(p.holds(10));
  EXPECT_TRUE(p.holds(14));
  EXPECT_FALSE(p.holds(15));
  Page all{0, SIZE_MAX};
  EXPECT_TRUE(all.holds(SIZE_MAX - 1));
  Page far{SIZE_MAX - 1, SIZE_MAX};  // no overflow past the end of size_t
  EXPECT_TRUE(far.holds(SIZE_MAX - 1));
  EXPECT_FALSE(far.holds(3));
}

TEST(Paging, NextOnlyWhenMoreRemain) {
  json a;
  add_page_fields(a, Page{0, 2}, 2, 5);
  EXPECT_EQ(a["total"], 5);
  EXPECT_EQ(a["next"], 2);
  json mid;
  add_page_fields(mid, Page{2, 2}, 2, 5);
  EXPECT_EQ(mid["next"], 4);
  json last;
  add_page_fields(last, Page{4, 2}, 1, 5);
  EXPECT_EQ(last["total"], 5);
  EXPECT_FALSE(last.contains("next"));
  json exact;
  add_page_fields(exact, Page{0, 5}, 5, 5);
  EXPECT_FALSE(exact.contains("next"));
  json past;  // an offset past the end: an empty page, no next
  add_page_fields(past, Page{9, 2}, 0, 5);
  EXPECT_EQ(past["total"], 5);
  EXPECT_FALSE(past.contains("next"));
  json empty;
  add_page_fields(empty, Page{}, 0, 0);
  EXPECT_EQ(empty["total"], 0);
  EXPECT_FALSE(empty.contains("next"));
}

TEST(Paging, TheClientFollowsNextUntilTheEnd) {
  auto n = next_page_offset(json{{"routes", json::array()}, {"total", 3}, {"next", 2}}, 0);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, std::optional<size_t>(2));
  auto end = next_page_offset(json{{"routes", json::array()}, {"total", 3}}, 2);
  ASSERT_TRUE(end) << end.error().message;
  EXPECT_FALSE(end->has_value());
}

TEST(Paging, ANextThatDoesNotMoveForwardIsAnError) {
  for (json next : {json(5), json(4), json(0), json(-1), json("6"), json(6.5), json(nullptr)}) {
    auto n = next_page_offset(json{{"next", next}}, 5);
    ASSERT_FALSE(n) << next.dump();
    EXPECT_NE(n.error().message.find("\"next\""), std::string::npos) << n.error().message;
  }
  EXPECT_FALSE(next_page_offset(json{{"next", "\xff"}}, 0));  // not UTF-8: still just an error
}

}  // namespace
}  // namespace vipa
