#include "daemon/journal_fields.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace vipa::log {
namespace {

TEST(JournalFields, FailoverCarriesEveryField) {
  EventFields f{"failover", "vi0", "en1", "10.68.1.2"};
  auto fields = journal_fields(4, "vi0: gateway 10.68.1.2 on en1 is dead", &f);
  std::vector<std::string> want = {"MESSAGE=vi0: gateway 10.68.1.2 on en1 is dead",
                                   "PRIORITY=4",
                                   "SYSLOG_IDENTIFIER=vipad",
                                   "MESSAGE_ID=cfb2cbedbe9d4eab8db3e54492117645",
                                   "VIPA_EVENT=failover",
                                   "VIPA=vi0",
                                   "VIPA_INTERFACE=en1",
                                   "VIPA_GATEWAY=10.68.1.2"};
  EXPECT_EQ(fields, want);
}

TEST(JournalFields, EmptyFieldsAreLeftOut) {
  EventFields f{"resync", "", "", ""};
  auto fields = journal_fields(4, "netlink overrun", &f);
  std::vector<std::string> want = {
      "MESSAGE=netlink overrun", "PRIORITY=4", "SYSLOG_IDENTIFIER=vipad",
      "MESSAGE_ID=c0c39826c50f422d9cfe7620e53374b9", "VIPA_EVENT=resync"};
  EXPECT_EQ(fields, want);
}

TEST(JournalFields, PlainLinesHaveNoEventFields) {
  auto fields = journal_fields(3, "cannot open netlink", nullptr);
  std::vector<std::string> want = {"MESSAGE=cannot open netlink", "PRIORITY=3",
                                   "SYSLOG_IDENTIFIER=vipad"};
  EXPECT_EQ(fields, want);
}

TEST(JournalFields, PrioritiesFollowTheEvent) {
  EXPECT_EQ(event_priority("failover"), 4);
  EXPECT_EQ(event_priority("gateway_dead"), 4);
  EXPECT_EQ(event_priority("link_down"), 4);
  EXPECT_EQ(event_priority("restore"), 5);
  EXPECT_EQ(event_priority("gateway_alive"), 5);
  EXPECT_EQ(event_priority("reload"), 6);
  EXPECT_EQ(message_id("no_such_event"), "");
}

// Every event kind has a distinct ID, and the shipped catalog explains each one.
TEST(JournalFields, CatalogCoversEveryMessageId) {
  const char* kinds[] = {"link_down",     "link_up", "failover", "restore", "gateway_dead",
                         "gateway_alive", "repair",  "reload",   "resync"};
  std::ifstream in(VIPA_SOURCE_DIR "/packaging/vipa.catalog");
  ASSERT_TRUE(in) << "packaging/vipa.catalog is missing";
  std::stringstream text;
  text << in.rdbuf();
  std::set<std::string> ids;
  for (auto k : kinds) {
    std::string id(message_id(k));
    ASSERT_EQ(id.size(), 32u) << k;
    EXPECT_TRUE(ids.insert(id).second) << k << " shares its MESSAGE_ID";
    EXPECT_NE(text.str().find("-- " + id + "\n"), std::string::npos)
        << "no catalog entry for " << k << " (" << id << ")";
  }
}

}  // namespace
}  // namespace vipa::log
