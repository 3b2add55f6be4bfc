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

// A Dynamic VIPA's state change carries the DVIPA and both states, so that
// `journalctl VIPA_DVIPA=web VIPA_DVIPA_STATE=active` finds every time this host took it.
TEST(JournalFields, DvipaStateChangeCarriesTheDvipaFields) {
  EventFields f;
  f.event = "dvipa";
  f.dvipa = "web";
  f.old_state = "standby";
  f.new_state = "active";
  auto fields = journal_fields(5, "web: standby -> active (the routers chose this host)", &f);
  std::vector<std::string> want = {"MESSAGE=web: standby -> active (the routers chose this host)",
                                   "PRIORITY=5",
                                   "SYSLOG_IDENTIFIER=vipad",
                                   "MESSAGE_ID=9bc93f42fc24402bbe2168028b69bf7b",
                                   "VIPA_EVENT=dvipa",
                                   "VIPA_DVIPA=web",
                                   "VIPA_DVIPA_OLD_STATE=standby",
                                   "VIPA_DVIPA_STATE=active"};
  EXPECT_EQ(fields, want);
}

TEST(JournalFields, MoveEventsNameThePeer) {
  EventFields f;
  f.event = "dvipa_forward";
  f.dvipa = "web";
  f.peer = "10.68.255.11";
  auto fields = journal_fields(5, "web: forwarding to 10.68.255.11", &f);
  EXPECT_EQ(fields.back(), "VIPA_PEER=10.68.255.11");
  EXPECT_EQ(fields[3], "MESSAGE_ID=4d883ebb3ca84d0ea4e7eb7c4a12a6ad");
  // Connections cut by moving_timeout and a forged packet are warnings; the end of a move is info.
  EXPECT_EQ(event_priority("dvipa_moving_timeout"), 4);
  EXPECT_EQ(event_priority("dvipa_not_a_peer"), 4);
  EXPECT_EQ(event_priority("dvipa_forward_cut"), 4);
  EXPECT_EQ(event_priority("dvipa_moving_done"), 6);
  EXPECT_EQ(event_priority("dvipa_health"), 4);
}

// Every event kind vipad emits has a distinct ID, and the shipped catalog explains each one.
TEST(JournalFields, CatalogCoversEveryMessageId) {
  std::set<std::string> kinds;
  for (auto k : event_kinds()) kinds.insert(std::string(k));
  // The kinds the daemon emits (daemon.cpp, dvipa_manager.cpp, dvipa_jobs.cpp, daemon_dvipa.cpp,
  // and the moves tracker's "dvipa_" + kind).
  const char* emitted[] = {"link_down",
                           "link_up",
                           "failover",
                           "restore",
                           "gateway_dead",
                           "gateway_alive",
                           "repair",
                           "reload",
                           "resync",
                           "dvipa",
                           "dvipa_health",
                           "dvipa_announce",
                           "dvipa_reassert",
                           "dvipa_problem",
                           "dvipa_problem_cleared",
                           "dvipa_takeback",
                           "dvipa_withdraw",
                           "dvipa_resume",
                           "dvipa_drain",
                           "dvipa_moving",
                           "dvipa_moving_done",
                           "dvipa_moving_timeout",
                           "dvipa_forward",
                           "dvipa_forward_done",
                           "dvipa_forward_cut",
                           "dvipa_not_a_peer"};
  for (auto k : emitted) EXPECT_TRUE(kinds.count(k)) << k << " has no MESSAGE_ID";
  std::ifstream in(VIPA_SOURCE_DIR "/packaging/vipa.catalog");
  ASSERT_TRUE(in) << "packaging/vipa.catalog is missing";
  std::stringstream text;
  text << in.rdbuf();
  std::set<std::string> ids;
  for (auto k : event_kinds()) {
    std::string id(message_id(k));
    ASSERT_EQ(id.size(), 32u) << k;
    EXPECT_TRUE(ids.insert(id).second) << k << " shares its MESSAGE_ID";
    EXPECT_NE(text.str().find("-- " + id + "\n"), std::string::npos)
        << "no catalog entry for " << k << " (" << id << ")";
  }
}

}  // namespace
}  // namespace vipa::log
