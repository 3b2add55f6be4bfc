// The Prometheus text rendering: names, labels, escaping and the histogram's cumulative
// buckets, against golden text for the sample configuration.
#include <gtest/gtest.h>

#include <limits>
#include <sstream>

#include "core/metrics_text.h"

namespace vipa {
namespace {

MetricsSnapshot sample_snapshot() {
  MetricsSnapshot s;
  s.version = "0.1.0";
  s.vipas = {{"vi0", true, 2}};
  s.interfaces = {{"vi0", "en1", false, false}, {"vi0", "en5", true, true}};
  s.gateways = {{"10.68.1.2", "en1", false}, {"10.68.5.2", "en5", true}};
  s.repairs = 3;
  s.netlink_resyncs = 1;
  s.reconcile.observe(0.00005);  // first bucket
  s.reconcile.observe(0.0003);   // 0.0005
  s.reconcile.observe(2.0);      // only +Inf
  return s;
}

std::vector<std::string> sample_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(MetricsText, SeedGauges) {
  std::string t = render_metrics(sample_snapshot());
  EXPECT_TRUE(has_line(t, "vipa_build_info{version=\"0.1.0\"} 1")) << t;
  EXPECT_TRUE(has_line(t, "vipa_up{vipa=\"vi0\"} 1"));
  EXPECT_TRUE(has_line(t, "vipa_interface_up{vipa=\"vi0\",interface=\"en1\"} 0"));
  EXPECT_TRUE(has_line(t, "vipa_interface_up{vipa=\"vi0\",interface=\"en5\"} 1"));
  EXPECT_TRUE(has_line(t, "vipa_interface_active{vipa=\"vi0\",interface=\"en5\"} 1"));
  EXPECT_TRUE(has_line(t, "vipa_gateway_alive{gateway=\"10.68.1.2\",interface=\"en1\"} 0"));
  EXPECT_TRUE(has_line(t, "vipa_gateway_alive{gateway=\"10.68.5.2\",interface=\"en5\"} 1"));
  EXPECT_TRUE(has_line(t, "vipa_failovers_total{vipa=\"vi0\"} 2"));
  EXPECT_TRUE(has_line(t, "vipa_repairs_total 3"));
  EXPECT_TRUE(has_line(t, "vipa_netlink_resyncs_total 1"));
}

TEST(MetricsText, EveryFamilyHasHelpAndType) {
  std::string t = render_metrics(sample_snapshot());
  for (const char* f :
       {"vipa_build_info gauge", "vipa_converged gauge", "vipa_up gauge", "vipa_interface_up gauge",
        "vipa_interface_active gauge", "vipa_gateway_alive gauge", "vipa_failovers_total counter",
        "vipa_repairs_total counter", "vipa_netlink_resyncs_total counter",
        "vipa_reconcile_duration_seconds histogram"}) {
    EXPECT_TRUE(has_line(t, std::string("# TYPE ") + f)) << f;
    std::string name(f, std::string(f).find(' '));
    EXPECT_NE(t.find("# HELP " + name + " "), std::string::npos) << name;
  }
  EXPECT_EQ(t.back(), '\n');
}

TEST(MetricsText, HistogramIsCumulative) {
  std::string t = render_metrics(sample_snapshot());
  const std::string h = "vipa_reconcile_duration_seconds";
  EXPECT_TRUE(has_line(t, h + "_bucket{le=\"0.0001\"} 1")) << t;
  EXPECT_TRUE(has_line(t, h + "_bucket{le=\"0.00025\"} 1"));
  EXPECT_TRUE(has_line(t, h + "_bucket{le=\"0.0005\"} 2"));
  EXPECT_TRUE(has_line(t, h + "_bucket{le=\"1\"} 2"));
  EXPECT_TRUE(has_line(t, h + "_bucket{le=\"+Inf\"} 3"));
  EXPECT_TRUE(has_line(t, h + "_count 3"));
  EXPECT_TRUE(has_line(t, h + "_sum 2.00035"));
  // Bucket counts never decrease.
  uint64_t last = 0;
  for (auto& l : sample_lines(t)) {
    if (l.rfind(h + "_bucket", 0) != 0) continue;
    uint64_t v = std::stoull(l.substr(l.rfind(' ') + 1));
    EXPECT_GE(v, last) << l;
    last = v;
  }
}

TEST(MetricsText, HistogramBoundsSpan100usTo1s) {
  EXPECT_DOUBLE_EQ(DurationHistogram::kBounds.front(), 0.0001);
  EXPECT_DOUBLE_EQ(DurationHistogram::kBounds.back(), 1.0);
  for (size_t i = 1; i < DurationHistogram::kBounds.size(); ++i)
    EXPECT_LT(DurationHistogram::kBounds[i - 1], DurationHistogram::kBounds[i]);
}

TEST(MetricsText, NegativeOrNanDurationCountsAsZero) {
  DurationHistogram h;
  h.observe(-1);
  h.observe(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(h.cumulative(0), 2u);
  EXPECT_EQ(h.sum(), 0);
}

TEST(MetricsText, LabelValuesEscaped) {
  EXPECT_EQ(escape_label_value(R"(a"b\c)"), R"(a\"b\\c)");
  EXPECT_EQ(escape_label_value("x\ny"), "x\\ny");
  MetricsSnapshot s;
  s.interfaces = {{"vi0", "we\"ird\\", true, false}};
  std::string t = render_metrics(s);
  EXPECT_TRUE(has_line(t, R"(vipa_interface_up{vipa="vi0",interface="we\"ird\\"} 1)")) << t;
}

TEST(MetricsText, EmptySnapshotStillValid) {
  std::string t = render_metrics(MetricsSnapshot{});
  EXPECT_TRUE(has_line(t, "vipa_repairs_total 0"));
  EXPECT_TRUE(has_line(t, "vipa_reconcile_duration_seconds_count 0"));
  EXPECT_EQ(t.find("vipa_up{"), std::string::npos);
}

}  // namespace
}  // namespace vipa
