// The kernel objects of nondisruptive moves as nft and ip text; the policy rules' repair from
// `ip -j rule show` (captured from Linux 6.x in a network namespace).
#include <gtest/gtest.h>

#include <sstream>

#include "moves/ruleset.h"

namespace vipa::moves {
namespace {

using nlohmann::json;

Want want() {
  Want w;
  w.peer_addrs = {"10.68.41.1", "10.68.42.1"};
  w.self_addr = "10.68.42.1";
  w.dvipas = {"10.68.9.1", "10.68.9.2"};
  w.forwards = {{"10.68.9.1", "10.68.41.1", 1, true}};
  w.gate_ifaces = {"en1", "vipamv0"};
  w.stale_indices = {2};
  return w;
}

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MovesRuleset, MacFromAddress) {
  EXPECT_EQ(tunnel_mac("10.68.41.1"), "02:76:0a:44:29:01");
  EXPECT_EQ(mark_of(3), 0x76700003u);
  EXPECT_EQ(table_of(3), 7673u);
}

TEST(MovesRuleset, Nft) {
  std::string s = nft_script(want());
  EXPECT_TRUE(has(s, "add table inet vipa_moves { comment \"vipa:moves\" ; }"));
  EXPECT_TRUE(has(s, "add element inet vipa_moves peers4 { 10.68.41.1, 10.68.42.1 }"));
  EXPECT_TRUE(has(s,
                  "add rule inet vipa_moves guard udp dport 4790 ip saddr != @peers4 counter name "
                  "forged drop"));
  EXPECT_TRUE(has(s,
                  "add rule inet vipa_moves steer ip daddr 10.68.9.1 iifname != \"vipamv0\" ct "
                  "state new ct mark 0 tcp flags & (syn|ack) != syn ct mark set 0x76700001"));
  EXPECT_TRUE(has(s,
                  "add rule inet vipa_moves steer ip daddr 10.68.9.1 ct mark 0x76700001 meta "
                  "mark set ct mark counter name forwarded"));
  EXPECT_TRUE(has(s,
                  "add rule inet vipa_moves gate iifname \"en1\" meta mark & 0xffff0000 != "
                  "0x76700000 drop"));
  // Flushed before being filled: a re-assert replaces, never duplicates.
  EXPECT_LT(s.find("flush chain inet vipa_moves steer"), s.find("add rule inet vipa_moves steer"));
}

// Conntrack follows the DVIPAs' connections from their SYNs even where nothing is forwarded
// yet (the owner): a connection it first meets mid-stream looks like a moved flow, and the
// owner's own streams, met so once it arms a target after a drain, went to the new owner and
// back in a loop.
TEST(MovesRuleset, NftConntrackFollowsTheDvipasWithoutTargets) {
  Want w = want();
  w.forwards.clear();
  std::string s = nft_script(w);
  EXPECT_TRUE(has(s, "add counter inet vipa_moves opened"));
  EXPECT_TRUE(has(s,
                  "add rule inet vipa_moves steer ip daddr { 10.68.9.1, 10.68.9.2 } tcp flags & "
                  "(syn|ack) == syn ct state new counter name opened"));
  EXPECT_LT(s.find("flush chain inet vipa_moves steer"), s.find("counter name opened"));
  EXPECT_EQ(s.find("ct mark set"), std::string::npos);
  // Nothing with peers: no ct expression, conntrack stays as it was.
  w.dvipas.clear();
  EXPECT_EQ(nft_script(w).find(" ct "), std::string::npos);
}

// A flow that has a peer keeps it (a forwarded flow stays "new": its replies never pass here),
// and a packet a peer sent through the tunnel is never sent back.
TEST(MovesRuleset, NftMarksOnlyUnmarkedFlowsFromOutsideTheTunnel) {
  std::string s = nft_script(want());
  size_t set = s.find("ct mark set 0x76700001");
  ASSERT_NE(set, std::string::npos);
  size_t line = s.rfind('\n', set);
  std::string rule = s.substr(line + 1, s.find('\n', set) - line - 1);
  EXPECT_NE(rule.find(" ct mark 0 "), std::string::npos) << rule;
  EXPECT_NE(rule.find("iifname != \"vipamv0\""), std::string::npos) << rule;
}

TEST(MovesRuleset, NftOnlyTheNewestTargetTakesNewFlows) {
  Want w = want();
  w.forwards.push_back({"10.68.9.1", "10.68.43.1", 3, false});
  std::string s = nft_script(w);
  EXPECT_EQ(s.find("ct mark set 0x76700003"), std::string::npos);
  EXPECT_NE(s.find("ct mark 0x76700003 meta mark set ct mark"), std::string::npos);
}

TEST(MovesRuleset, Ip) {
  std::string s = ip_script(want());
  EXPECT_TRUE(
      has(s, "link add vipamv0 address 02:76:0a:44:2a:01 type vxlan external dstport 4790"));
  EXPECT_TRUE(has(s, "link set dev vipamv0 alias vipa:moves up"));
  EXPECT_TRUE(
      has(s, "neigh replace 10.68.41.1 lladdr 02:76:0a:44:29:01 dev vipamv0 nud permanent"));
  EXPECT_TRUE(has(s,
                  "route replace 10.68.9.1/32 encap ip id 7670 dst 10.68.41.1 via 10.68.41.1 dev "
                  "vipamv0 onlink table 7671 proto 87"));
  EXPECT_TRUE(has(s, "route flush table 7672"));
}

const char* kPlain =
    R"([{"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all","table":"main"},)"
    R"({"priority":32767,"src":"all","table":"default"}])";

TEST(MovesRuleset, RulesAddedAheadOfLocal) {
  std::string s = rule_script(json::parse(kPlain), want());
  EXPECT_EQ(s,
            "rule add pref 0 fwmark 0x76700001 lookup 7671 protocol 86\n"
            "rule add pref 1 lookup local protocol 86\n"
            "rule del pref 0 lookup local\n"
            "rule add pref 0 lookup local\n"
            "rule del pref 1 lookup local protocol 86\n");
}

TEST(MovesRuleset, RulesInPlaceNeedNothing) {
  auto j = json::parse(
      R"([{"priority":0,"src":"all","fwmark":"0x76700001","table":"7671","protocol":"86"},)"
      R"({"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all","table":"main"}])");
  EXPECT_EQ(rule_script(j, want()), "");
}

TEST(MovesRuleset, RuleBehindLocalIsMovedAhead) {
  auto j = json::parse(
      R"([{"priority":0,"src":"all","table":"local"},)"
      R"({"priority":0,"src":"all","fwmark":"0x76700001","table":"7671","protocol":"86"}])");
  EXPECT_EQ(rule_script(j, want()),
            "rule del pref 0 fwmark 0x76700001 lookup 7671\n"
            "rule add pref 0 fwmark 0x76700001 lookup 7671 protocol 86\n"
            "rule add pref 1 lookup local protocol 86\n"
            "rule del pref 0 lookup local\n"
            "rule add pref 0 lookup local\n"
            "rule del pref 1 lookup local protocol 86\n");
}

TEST(MovesRuleset, StaleRuleDeletedLocalMovedByAnAdminLeftAlone) {
  auto j = json::parse(
      R"([{"priority":0,"src":"all","fwmark":"0x76700002","table":"7672","protocol":"86"},)"
      R"({"priority":1000,"src":"all","table":"local"}])");
  EXPECT_EQ(rule_script(j, want()),
            "rule del pref 0 fwmark 0x76700002 lookup 7672\n"
            "rule add pref 0 fwmark 0x76700001 lookup 7671 protocol 86\n");
}

// The kernel's rule list as far as ip's rule lines touch it: a rule identical to one present
// (pref, table, fwmark, protocol) is refused; a delete removes the first rule that matches what
// it names (a protocol, when named, must match too).
struct KernelRules {
  struct Rule {
    int pref;
    std::string table, fwmark, proto;
  };
  std::vector<Rule> rules{{0, "local", "", "kernel"}, {32766, "main", "", "kernel"}};

  static Rule parse(const std::string& line) {
    std::istringstream in(line);
    std::string w, verb;
    in >> w >> verb;
    Rule r{0, "", "", "unspec"};
    while (in >> w) {
      std::string v;
      in >> v;
      if (w == "pref") r.pref = std::stoi(v);
      if (w == "lookup") r.table = v;
      if (w == "fwmark") r.fwmark = v;
      if (w == "protocol") r.proto = v;
    }
    return r;
  }
  void apply(const std::string& script) {
    std::istringstream in(script);
    for (std::string line; std::getline(in, line);) {
      Rule r = parse(line);
      bool named_proto = line.find(" protocol ") != std::string::npos;
      auto same = [&](const Rule& k, bool proto) {
        return k.pref == r.pref && k.table == r.table && k.fwmark == r.fwmark &&
               (!proto || k.proto == r.proto);
      };
      if (line.rfind("rule add", 0) == 0) {
        bool dup = false;
        for (auto& k : rules) dup = dup || same(k, true);
        if (dup) continue;  // EEXIST; ip -force goes on
        auto at = rules.begin();
        while (at != rules.end() && at->pref <= r.pref) ++at;
        rules.insert(at, r);
      } else if (line.rfind("rule del", 0) == 0) {
        for (auto it = rules.begin(); it != rules.end(); ++it)
          if (same(*it, named_proto)) {
            rules.erase(it);
            break;
          }
      }
    }
  }
  json show() const {
    json j = json::array();
    for (auto& k : rules) {
      json r = {{"priority", k.pref}, {"src", "all"}, {"table", k.table}, {"protocol", k.proto}};
      if (!k.fwmark.empty()) r["fwmark"] = k.fwmark;
      j.push_back(r);
    }
    return j;
  }
  int local_rules() const {
    int n = 0;
    for (auto& k : rules) n += k.table == "local" && k.fwmark.empty();
    return n;
  }
};

TEST(MovesRuleset, SecondMoveNeverLeavesTheHostWithoutALocalRule) {
  KernelRules k;
  Want one = want();
  Want none = one;
  none.forwards.clear();
  none.stale_indices = {1};
  // Two moves, each arming a target and ending: after each script, and at every line of it,
  // local delivery has a rule, and ours is ahead of it.
  for (int move = 0; move < 3; ++move) {
    for (const Want* w : {&one, &none}) {
      std::string s = rule_script(k.show(), *w);
      std::istringstream in(s);
      for (std::string line; std::getline(in, line);) {
        k.apply(line + "\n");
        EXPECT_GE(k.local_rules(), 1) << "move " << move << " after: " << line;
      }
      EXPECT_EQ(rule_script(k.show(), *w), "") << "move " << move << " converged";
    }
  }
  EXPECT_EQ(k.local_rules(), 1);
  EXPECT_EQ(k.rules.front().table, "local");
}

TEST(MovesRuleset, StandInLeftBehindIsDeleted) {
  auto j = json::parse(
      R"([{"priority":0,"src":"all","fwmark":"0x76700001","table":"7671","protocol":"86"},)"
      R"({"priority":0,"src":"all","table":"local"},)"
      R"({"priority":1,"src":"all","table":"local","protocol":"86"},)"
      R"({"priority":1,"src":"all","table":"local"}])");
  EXPECT_EQ(rule_script(j, want()), "rule del pref 1 lookup local protocol 86\n");
}

TEST(MovesRuleset, ForeignRulesUntouched) {
  auto j = json::parse(R"([{"priority":0,"src":"all","fwmark":"0x76700001","table":"100"},)"
                       R"({"priority":5,"src":"all","fwmark":"0x1","table":"7671"},)"
                       R"({"priority":0,"src":"all","table":"local"}])");
  EXPECT_EQ(rule_cleanup_script(j), "");
  EXPECT_EQ(rule_cleanup_script(json::parse("{\"garbage\": 1}")), "");
}

TEST(MovesRuleset, CleanupDeletesOurs) {
  auto j = json::parse(
      R"([{"priority":0,"src":"all","fwmark":"0x76700001","table":"7671","protocol":"86"},)"
      R"({"priority":0,"src":"all","table":"local"}])");
  EXPECT_EQ(rule_cleanup_script(j), "rule del pref 0 fwmark 0x76700001 lookup 7671\n");
  EXPECT_EQ(rule_indices(j), std::vector<uint32_t>{1});
}

}  // namespace
}  // namespace vipa::moves
