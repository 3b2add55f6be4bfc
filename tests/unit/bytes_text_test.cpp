// Kernel names as text: lossless both ways, plain names untouched.
#include "common/bytes_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vipa {
namespace {

TEST(BytesText, PlainNamesUnchanged) {
  for (const char* n : {"en1", "eth0.100", "wlp2s0", "vi0", "br-lan", "übung"})
    EXPECT_EQ(escape_bytes(n), n);
}

TEST(BytesText, InvalidBytesAndBackslashEscaped) {
  EXPECT_EQ(escape_bytes("bad\xff"), "bad\\xff");
  EXPECT_EQ(escape_bytes("bad\xfe"), "bad\\xfe");
  EXPECT_EQ(escape_bytes("a\\b"), "a\\\\b");
  EXPECT_EQ(escape_bytes("a\\xff"), "a\\\\xff");  // the text "\xff" differs from the byte
  EXPECT_EQ(escape_bytes("\x01"), "\\x01");
  EXPECT_EQ(escape_bytes("\xc3"), "\\xc3");                    // truncated sequence
  EXPECT_EQ(escape_bytes("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(escape_bytes("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
}

TEST(BytesText, RoundTripsEveryByte) {
  std::string all;
  for (int i = 1; i < 256; ++i) all += static_cast<char>(i);
  for (std::string s : {all, std::string("bad\xff"), std::string("a\\xff\\"), std::string()}) {
    std::string t = escape_bytes(s);
    EXPECT_TRUE(valid_utf8(t));
    EXPECT_NO_THROW((void)nlohmann::json(t).dump());
    auto back = unescape_bytes(t);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
  }
}

TEST(BytesText, MalformedEscapesRefused) {
  EXPECT_FALSE(unescape_bytes("a\\"));
  EXPECT_FALSE(unescape_bytes("a\\x4"));
  EXPECT_FALSE(unescape_bytes("a\\xzz"));
  EXPECT_FALSE(unescape_bytes("a\\n"));
}

TEST(BytesText, MakeTextFixesEveryString) {
  nlohmann::json j = {{"name", "bad\xff"},
                      {"list", {"ok", "x\xfe"}},
                      {"nested", {{"k\xfd", "v"}, {"plain", "a\\b"}}}};
  make_text(j);
  EXPECT_NO_THROW((void)j.dump());
  EXPECT_EQ(j["name"], "bad\\xff");
  EXPECT_EQ(j["list"][1], "x\\xfe");
  EXPECT_TRUE(j["nested"].contains("k\\xfd"));
  EXPECT_EQ(j["nested"]["plain"], "a\\b");  // valid text is left alone
}

}  // namespace
}  // namespace vipa
