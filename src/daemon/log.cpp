#include "daemon/log.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <vector>

namespace vipa::log {

namespace {

bool g_journal = false;
bool g_verbose = false;
bool g_native = false;                        // sd_journal_sendv(): stderr is the journal
const EventFields* g_event_fields = nullptr;  // set while log::event() writes

// systemd sets JOURNAL_STREAM to stderr's "DEVICE:INODE" when stderr is connected to the
// journal; a service that finds them equal may switch to the native protocol (systemd.exec(5)).
bool stderr_is_journal() {
  const char* e = std::getenv("JOURNAL_STREAM");
  struct stat st;
  if (!e || fstat(2, &st) < 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(e, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) &&
         ino == static_cast<unsigned long long>(st.st_ino);
}

bool send_native(int priority, const std::string& msg) {
  std::vector<std::string> fields = journal_fields(priority, msg, g_event_fields);
  std::vector<iovec> iov;
  for (auto& f : fields) iov.push_back({f.data(), f.size()});
  return sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0;
}

struct Bucket {
  double window_start = 0;
  int count = 0;
  int suppressed = 0;
};
std::map<std::string, Bucket> g_buckets;

double now_s() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

void emit(Level level, const std::string& msg) {
  if (g_native && send_native(static_cast<int>(level), msg)) return;
  if (g_journal) {
    std::fprintf(stderr, "<%d>%s\n", static_cast<int>(level), msg.c_str());
  } else {
    static const char* names[] = {"", "", "", "error: ", "warning: ", "", "", "debug: "};
    std::fprintf(stderr, "vipad: %s%s\n", names[static_cast<int>(level)], msg.c_str());
  }
  std::fflush(stderr);
}

}  // namespace

void init(bool verbose) {
  g_journal = std::getenv("JOURNAL_STREAM") != nullptr;
  g_native = stderr_is_journal() && std::getenv("VIPA_LOG_STDERR") == nullptr;
  g_verbose = verbose;
}

void write(Level level, const std::string& msg) {
  if (level == Level::Debug && !g_verbose) return;
  // At most 5 identical lines per 10 s; then one summary of what was held back.
  double t = now_s();
  if (g_buckets.size() > 1024) g_buckets.clear();
  Bucket& b = g_buckets[msg];
  if (t - b.window_start > 10) {
    if (b.suppressed > 0)
      emit(level, msg + " (repeated " + std::to_string(b.suppressed) + " more times)");
    b = Bucket{t, 0, 0};
  }
  if (++b.count > 5) {
    ++b.suppressed;
    return;
  }
  emit(level, msg);
}

void event(const std::string& msg, const EventFields& fields) {
  g_event_fields = &fields;
  // stderr keeps its notice lines; only journal entries carry the event's own priority.
  write(g_native ? static_cast<Level>(event_priority(fields.event)) : Level::Notice, msg);
  g_event_fields = nullptr;
}

}  // namespace vipa::log
