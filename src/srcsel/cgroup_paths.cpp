#include "srcsel/cgroup_paths.h"

#include <charconv>
#include <vector>

namespace vipa::srcsel {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(sep, i);
    if (j == std::string_view::npos) j = s.size();
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// mountinfo escapes blanks and backslashes as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (size_t k = 1; k <= 3; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '7') ok = false;
        v = v * 8 + (c - '0');
      }
      if (ok) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

int rank_cgroup(const std::string& mp) {
  if (mp == "/sys/fs/cgroup") return 0;
  if (mp == "/sys/fs/cgroup/unified") return 1;
  return 2;
}

}  // namespace

Mounts parse_mountinfo(std::string_view text) {
  Mounts m;
  int best = 3;
  for (auto line : split(text, '\n')) {
    auto sep = line.find(" - ");
    if (sep == std::string_view::npos) continue;
    auto fields = split(line.substr(0, sep), ' ');
    auto tail = split(line.substr(sep + 3), ' ');
    if (fields.size() < 5 || tail.empty()) continue;
    std::string mp = unescape(fields[4]);
    if (tail[0] == "cgroup2" && rank_cgroup(mp) < best) {
      best = rank_cgroup(mp);
      m.cgroup2 = mp;
    } else if (tail[0] == "bpf" && (m.bpffs.empty() || mp == "/sys/fs/bpf")) {
      m.bpffs = mp;
    }
  }
  return m;
}

std::string unit_cgroup_path(std::string_view unit) {
  auto dot = unit.rfind('.');
  std::string_view stem = unit.substr(0, dot == std::string_view::npos ? unit.size() : dot);
  std::string_view type = dot == std::string_view::npos ? "" : unit.substr(dot + 1);
  if (type == "slice") {
    if (unit == "-.slice") return "";
    // "a-b-c.slice" lives in "a.slice/a-b.slice/a-b-c.slice".
    std::string path, prefix;
    for (auto part : split(stem, '-')) {
      prefix += (prefix.empty() ? "" : "-") + std::string(part);
      path += (path.empty() ? "" : "/") + prefix + ".slice";
    }
    return path;
  }
  // Template instances share a slice per template: system-getty.slice/getty@tty1.service.
  if (auto at = stem.find('@'); at != std::string_view::npos)
    return "system.slice/system-" + std::string(stem.substr(0, at)) + ".slice/" + std::string(unit);
  return "system.slice/" + std::string(unit);
}

std::optional<std::string> parse_proc_cgroup(std::string_view text) {
  for (auto line : split(text, '\n')) {
    if (line.substr(0, 3) != "0::") continue;
    std::string_view p = line.substr(3);
    while (!p.empty() && p.front() == '/') p.remove_prefix(1);
    while (!p.empty() && p.back() == '/') p.remove_suffix(1);
    return std::string(p);
  }
  return std::nullopt;
}

std::optional<uint32_t> parse_status_fsuid(std::string_view text) {
  for (auto line : split(text, '\n')) {
    if (line.substr(0, 4) != "Uid:") continue;
    std::vector<std::string_view> ids;
    for (auto f : split(line.substr(4), '\t'))
      if (!f.empty()) ids.push_back(f);
    if (ids.size() < 4) return std::nullopt;
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(ids[3].data(), ids[3].data() + ids[3].size(), v);
    if (ec != std::errc()) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

}  // namespace vipa::srcsel
