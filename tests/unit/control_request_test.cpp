// The control protocol's line decoder (src/control/request.cpp), as vipad's socket uses it.
#include <gtest/gtest.h>

#include <fstream>

#include "control/request.h"

namespace vipa::control {
namespace {

using nlohmann::json;

json echo_handler(const json& req, bool privileged) {
  return {{"v", 1}, {"ok", true}, {"result", {{"cmd", req["cmd"]}, {"privileged", privileged}}}};
}

std::string code_of(const LineOutcome& o) {
  return o.answer["error"]["code"].get<std::string>();
}

TEST(ControlRequest, MalformedLinesAreBadRequests) {
  for (const char* line : {"not json", "[1,2,3]", "\"cmd\"", "{\"cmd\": 5}", "{\"v\": 1}", "{",
                           "{\"cmd\":\"status\"", "\xff\xfe"}) {
    LineOutcome o = answer_line(line, true, echo_handler);
    EXPECT_FALSE(o.answer["ok"].get<bool>()) << line;
    EXPECT_EQ(code_of(o), "bad_request") << line;
  }
}

TEST(ControlRequest, OtherVersionsAreRefused) {
  LineOutcome o = answer_line(R"({"v": 2, "cmd": "status"})", true, echo_handler);
  EXPECT_EQ(code_of(o), "bad_version");
}

TEST(ControlRequest, EmptyLineGetsNoAnswer) {
  EXPECT_TRUE(answer_line("", true, echo_handler).empty);
}

TEST(ControlRequest, MonitorSubscribesWithoutTheHandler) {
  bool called = false;
  LineOutcome o = answer_line(R"({"v":1,"cmd":"monitor"})", false, [&](const json&, bool) {
    called = true;
    return json::object();
  });
  EXPECT_TRUE(o.subscribe);
  EXPECT_TRUE(o.answer["ok"].get<bool>());
  EXPECT_FALSE(called);
}

TEST(ControlRequest, IdIsEchoedAndPrivilegePassedOn) {
  LineOutcome o = answer_line(R"({"v":1,"cmd":"status","id":42})", false, echo_handler);
  EXPECT_EQ(o.answer["id"], 42);
  EXPECT_EQ(o.answer["result"]["privileged"], false);
  o = answer_line(R"({"cmd":"x","id":"abc"})", true, echo_handler);
  EXPECT_EQ(o.answer["id"], "abc");
  EXPECT_EQ(o.answer["result"]["privileged"], true);
}

TEST(ControlRequest, AHandlerThatThrowsGivesBadRequestNotACrash) {
  LineOutcome o = answer_line(R"({"cmd":"status","name":5})", true, [](const json& r, bool) {
    return json{{"n", r["name"].get<std::string>()}};  // type_error
  });
  EXPECT_EQ(code_of(o), "bad_request");
}

TEST(ControlRequest, DeepNestingDoesNotExhaustTheStack) {
  std::string deep =
      "{\"cmd\":\"status\",\"x\":" + std::string(30000, '[') + std::string(30000, ']') + "}";
  LineOutcome o = answer_line(deep, true, echo_handler);
  EXPECT_EQ(code_of(o), "bad_request");
  EXPECT_NE(o.answer.dump().find("nested deeper than 64 levels"), std::string::npos) << o.answer;
}

// The request object itself is level 1: kMaxDepth levels in all are answered, one more is not
// (and the handler never sees it). Brackets inside strings do not count.
TEST(ControlRequest, NestingLimitIsExactlyKMaxDepth) {
  auto nested = [](int levels) {  // the object plus levels - 1 arrays
    return "{\"cmd\":\"status\",\"x\":" + std::string(levels - 1, '[') +
           std::string(levels - 1, ']') + "}";
  };
  int handled = 0;
  auto counting = [&](const json& req, bool p) {
    ++handled;
    return echo_handler(req, p);
  };
  LineOutcome at = answer_line(nested(kMaxDepth), true, counting);
  EXPECT_EQ(at.answer.value("ok", false), true) << at.answer;
  EXPECT_EQ(handled, 1);
  LineOutcome past = answer_line(nested(kMaxDepth + 1), true, counting);
  EXPECT_EQ(code_of(past), "bad_request");
  EXPECT_EQ(handled, 1) << "a request past the limit reached the handler";
  std::string in_string = "{\"cmd\":\"status\",\"x\":\"" + std::string(500, '[') + "\"}";
  EXPECT_EQ(answer_line(in_string, true, counting).answer.value("ok", false), true);
  EXPECT_EQ(handled, 2);
}

// What vipactl really sent in a session (fuzz/corpus/control/cap-requests.jsonl, recorded by
// fuzz/capture-control.sh): every line passes the decoder to the handler, with its id.
TEST(ControlRequest, CapturedVipactlRequestsReachTheHandler) {
  std::ifstream in(std::string(VIPA_TEST_DATA) + "/../../fuzz/corpus/control/cap-requests.jsonl");
  ASSERT_TRUE(in);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    LineOutcome o = answer_line(line, true, echo_handler);
    EXPECT_EQ(o.answer.value("ok", false), true) << line << " -> " << o.answer;
    EXPECT_EQ(o.answer.value("id", -1), 1) << line;
  }
  EXPECT_GE(lines, 20);
}

}  // namespace
}  // namespace vipa::control
