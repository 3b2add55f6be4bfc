// The dashboard and the alerting rules query only metrics vipad exports: every vipa_* name in
// packaging/monitoring is compared with what render_metrics() writes for a snapshot that has
// one of everything.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/metrics_text.h"

namespace vipa {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> names_in(const std::string& text, const std::regex& re) {
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    out.insert((*it)[1].str());
  return out;
}

// A histogram's series are NAME_bucket, NAME_sum and NAME_count of one family.
std::string family_of(std::string name, const std::set<std::string>& families) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0 &&
        families.count(name.substr(0, name.size() - s.size())))
      return name.substr(0, name.size() - s.size());
  }
  return name;
}

std::set<std::string> exported_families() {
  MetricsSnapshot s;
  s.version = "0";
  s.vipas.push_back({"vi0", true, 1});
  s.interfaces.push_back({"vi0", "en1", true, true});
  s.gateways.push_back({"10.68.1.2", "en1", true});
  return names_in(render_metrics(s), std::regex(R"(# TYPE (vipa_[a-z0-9_]+) )"));
}

// Dynamic VIPA metrics are written by the DVIPA engine (DvipaManager::metrics_text), not
// render_metrics(), and need a running engine: their names are read from the families the
// sources declare (`family("vipa_dvipa_...", ...)`).
std::set<std::string> dvipa_families() {
  std::set<std::string> out;
  std::regex re(R"re(family\("(vipa_dvipa_[a-z0-9_]+)")re");
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(std::string(VIPA_TEST_DATA) + "/../../src")) {
    if (e.path().extension() != ".cpp") continue;
    for (auto& n : names_in(read(e.path().string()), re)) out.insert(n);
  }
  return out;
}

void expect_only_exported(const std::string& file) {
  std::string text = read(std::string(VIPA_TEST_DATA) + "/../../packaging/monitoring/" + file);
  ASSERT_FALSE(text.empty()) << file;
  auto families = exported_families();
  auto dvipa = dvipa_families();
  ASSERT_GE(dvipa.size(), 3u) << "no DVIPA metric families found: the pattern is broken";
  auto queried = names_in(text, std::regex(R"(\b(vipa_[a-z0-9_]+))"));
  size_t checked = 0;
  for (auto& q : queried) {
    std::string f = family_of(q, families);
    if (f.rfind("vipa_dvipa_", 0) == 0) {
      EXPECT_TRUE(dvipa.count(f)) << file << " queries " << q << ", which vipad does not export";
    } else {
      EXPECT_TRUE(families.count(f)) << file << " queries " << q << ", which vipad does not export";
    }
    ++checked;
  }
  EXPECT_GE(checked, 5u) << file << " queries too few metrics: the pattern is broken";
}

TEST(Monitoring, AlertsQueryOnlyExportedMetrics) {
  expect_only_exported("vipa-alerts.yml");
}

TEST(Monitoring, DashboardQueriesOnlyExportedMetrics) {
  expect_only_exported("vipa-dashboard.json");
}

TEST(Monitoring, EveryExportedFamilyIsOnTheDashboard) {
  std::string text =
      read(std::string(VIPA_TEST_DATA) + "/../../packaging/monitoring/vipa-dashboard.json");
  for (auto& f : exported_families()) EXPECT_NE(text.find(f), std::string::npos) << f;
}

}  // namespace
}  // namespace vipa
