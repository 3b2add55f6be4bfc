#include "daemon/log.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

namespace vipa::log {

namespace {

bool g_journal = false;
bool g_verbose = false;

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

}  // namespace vipa::log
