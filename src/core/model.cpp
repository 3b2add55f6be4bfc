#include "core/model.h"

#include <linux/if.h>
#include <linux/rtnetlink.h>

namespace vipa {

bool Link::is_loopback() const {
  return flags & IFF_LOOPBACK;
}
bool Link::admin_up() const {
  return flags & IFF_UP;
}
bool Link::carrier() const {
  return flags & IFF_LOWER_UP;
}

std::vector<int> Route::oifs() const {
  std::vector<int> out;
  for (auto& nh : nexthops) out.push_back(nh.oif);
  if (out.empty() && oif) out.push_back(oif);
  return out;
}

const Link* Observed::link_by_name(const std::string& name) const {
  for (auto& [i, l] : links)
    if (l.name == name) return &l;
  return nullptr;
}

const Link* Observed::link(int ifindex) const {
  auto it = links.find(ifindex);
  return it == links.end() ? nullptr : &it->second;
}

std::vector<const Address*> Observed::addrs_on(int ifindex) const {
  std::vector<const Address*> out;
  for (auto& a : addrs)
    if (a.ifindex == ifindex) out.push_back(&a);
  return out;
}

bool Observed::has_addr(int ifindex, const IpAddr& a) const {
  for (auto& x : addrs)
    if (x.ifindex == ifindex && x.addr == a) return true;
  return false;
}

std::string route_to_string(const Route& r) {
  std::string s;
  if (r.type != RTN_UNICAST) s += std::to_string(r.type) + " ";
  s += r.dst_len == 0 ? std::string("default") : r.dst.str() + "/" + std::to_string(r.dst_len);
  if (!r.gateway.empty()) s += " via " + r.gateway.str();
  if (r.oif) s += " oif " + std::to_string(r.oif);
  for (auto& nh : r.nexthops)
    s += " nexthop" + (nh.gateway.empty() ? "" : " via " + nh.gateway.str()) + " oif " +
         std::to_string(nh.oif);
  if (r.table != RT_TABLE_MAIN) s += " table " + std::to_string(r.table);
  s += " proto " + std::to_string(r.protocol);
  if (r.priority) s += " metric " + std::to_string(r.priority);
  if (!r.prefsrc.empty()) s += " src " + r.prefsrc.str();
  return s;
}

}  // namespace vipa
