#include "core/metrics_text.h"

#include <cstdio>

namespace vipa {

void DurationHistogram::observe(double seconds) {
  if (!(seconds >= 0)) seconds = 0;  // NaN or a clock step backwards
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      ++buckets_[i];
      break;
    }
  }
  ++count_;
  sum_ += seconds;
}

uint64_t DurationHistogram::cumulative(size_t i) const {
  uint64_t n = 0;
  for (size_t j = 0; j <= i && j < buckets_.size(); ++j) n += buckets_[j];
  return n;
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  // labels: alternating name, value.
  void sample(const std::string& name, std::initializer_list<std::string> labels,
              const std::string& value) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (auto it = labels.begin(); it != labels.end() && it + 1 != labels.end(); it += 2) {
        if (!first) out_ += ',';
        first = false;
        out_ += *it;
        out_ += "=\"";
        out_ += escape_label_value(*(it + 1));
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

const char* b(bool v) {
  return v ? "1" : "0";
}

}  // namespace

std::string render_metrics(const MetricsSnapshot& s) {
  Writer w;
  w.family("vipa_build_info", "gauge", "vipad's version; always 1.");
  w.sample("vipa_build_info", {"version", s.version}, "1");

  w.family("vipa_converged", "gauge",
           "Whether the kernel matches the configuration: the last reconcile made every change it "
           "planned (1) or some failed and are being retried (0).");
  w.sample("vipa_converged", {}, b(s.converged));

  w.family("vipa_up", "gauge",
           "Whether the VIPA's virtual interface is up and holds its addresses (1) or not (0).");
  for (auto& v : s.vipas) w.sample("vipa_up", {"vipa", v.name}, b(v.up));

  w.family("vipa_interface_up", "gauge",
           "Whether an interface that uses the VIPA is administratively up with carrier.");
  for (auto& i : s.interfaces)
    w.sample("vipa_interface_up", {"vipa", i.vipa, "interface", i.name}, b(i.up));

  w.family("vipa_interface_active", "gauge",
           "Whether an interface that uses the VIPA carries its traffic now.");
  for (auto& i : s.interfaces)
    w.sample("vipa_interface_active", {"vipa", i.vipa, "interface", i.name}, b(i.active));

  w.family("vipa_gateway_alive", "gauge",
           "Whether a configured gateway is considered alive (dead gateway detection).");
  for (auto& g : s.gateways)
    w.sample("vipa_gateway_alive", {"gateway", g.gateway, "interface", g.interface}, b(g.alive));

  w.family("vipa_failovers_total", "counter",
           "Times traffic of the VIPA moved off an interface that failed.");
  for (auto& v : s.vipas)
    w.sample("vipa_failovers_total", {"vipa", v.name}, std::to_string(v.failovers));

  w.family("vipa_repairs_total", "counter",
           "Reconciles that set right a change another tool made to addresses or routes.");
  w.sample("vipa_repairs_total", {}, std::to_string(s.repairs));

  w.family("vipa_netlink_resyncs_total", "counter",
           "Full re-reads of the kernel's tables after a netlink receive buffer overrun.");
  w.sample("vipa_netlink_resyncs_total", {}, std::to_string(s.netlink_resyncs));

  const char* h = "vipa_reconcile_duration_seconds";
  w.family(h, "histogram",
           "Time one reconcile took: reading the plan and applying it to the kernel.");
  for (size_t i = 0; i < DurationHistogram::kBounds.size(); ++i)
    w.sample(std::string(h) + "_bucket", {"le", num(DurationHistogram::kBounds[i])},
             std::to_string(s.reconcile.cumulative(i)));
  w.sample(std::string(h) + "_bucket", {"le", "+Inf"}, std::to_string(s.reconcile.count()));
  w.sample(std::string(h) + "_sum", {}, num(s.reconcile.sum()));
  w.sample(std::string(h) + "_count", {}, std::to_string(s.reconcile.count()));
  return w.take();
}

}  // namespace vipa
