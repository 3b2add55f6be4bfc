// The main config plus PATH.d/*.toml: how vipactl's changes survive a restart without
// rewriting the administrator's file (systemd's drop-in idea).
#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <deque>

#include "common/read_file.h"
#include "config/config.h"
#include "config/locations.h"
#include "config/toml_reader.h"

namespace vipa {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// PATH.d/*.toml sorted by name; hidden files are skipped (write_file_atomic's temp files
// are hidden), so a half-written record is never read.
Result<std::vector<std::string>> list_dropins(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return out;
    return Error::sys(errno, dir + ": cannot open");
  }
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.' || !ends_with(name, ".toml")) continue;
    out.push_back(dir + "/" + name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string dropin_path(const std::string& config_path) {
  return config_path + ".d/50-vipactl.toml";
}

Result<Config> load_config(const std::string& path) {
  auto files = read_config_texts(path);
  if (!files) return files.error();
  return load_config_texts(*files);
}

Result<std::vector<ConfigText>> read_config_texts(const std::string& path) {
  auto dropins = list_dropins(path + ".d");
  if (!dropins) return dropins.error();
  std::vector<ConfigText> files{{path, {}}};
  for (auto& d : *dropins) files.push_back({d, {}});
  for (size_t i = 0; i < files.size(); ++i) {
    auto text = read_file(files[i].name);
    if (!text) {
      // Files are judged in order: a syntax error in an earlier one is the one to report.
      for (size_t j = 0; j < i; ++j)
        if (auto doc = parse_toml(files[j].text, files[j].name); !doc) return doc.error();
      return text.error();
    }
    files[i].text = std::move(*text);
  }
  return files;
}

Result<Config> load_config_texts(const std::vector<ConfigText>& files) {
  if (files.empty()) return Error::msg("no config file");
  std::vector<std::string> names;
  for (auto& f : files) names.push_back(f.name);
  // The documents stay alive until the Config is read: VipaSource points into them.
  std::deque<toml::table> docs;
  for (auto& f : files) {
    auto doc = parse_toml(f.text, f.name);
    if (!doc) return doc.error();
    docs.push_back(std::move(doc.value()));
  }

  ErrorSink sink(names);
  std::vector<VipaSource> vipas;
  for (size_t i = 0; i < docs.size(); ++i) collect_vipas(docs[i], i > 0, vipas, sink);
  Config c;
  c.path = files.front().name;
  Locations locs;
  read_config(docs.front(), vipas, c, locs, sink);
  for (size_t i = 1; i < docs.size(); ++i) {
    Inet0Record rec;
    read_inet0_tables(docs[i], rec, locs, sink);
    apply_inet0(c, rec);
  }
  if (sink.failed()) return sink.error();
  if (auto s = validate_config_at(c, &locs); !s) return s.error();
  return c;
}

}  // namespace vipa
