// The pure core at scale: compute_desired() + reconcile() over the sample's host carrying 100k
// routes through en1 and en5 (a full routing table learnt by a DHCP client or an administrator's
// scripts), and converge() applying the plan to the in-memory kernel of the unit tests.
//   build/bench/reconcile_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>

#include "config/config.h"
#include "core/converge.h"
#include "core/desired.h"
#include "fake_dataplane.h"

namespace vipa {
namespace {

constexpr std::string_view kSample = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]

[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10

[[route]]
destination = "default"
gateway = "10.68.5.2"
metric = 20
)";

const Config& sample_config() {
  static const Config c = *parse_config_string(kSample, "sample.conf");
  return c;
}

// the sample's host with vipad's state in place, plus `n` static /32 routes alternating between
// en1's and en5's router, each with the VIPA as source already (`correct`) or none.
test::FakeKernel host_with_routes(int n, bool correct) {
  test::FakeKernel k;
  test::build_sample_host(k);
  Link& vi0 = k.add_link("vi0", "ifb");
  vi0.alias = kLinkTag;
  k.add_addr("vi0", "10.68.6.1/24", IFA_F_NOPREFIXROUTE);
  Intent intent;
  intent.config = &sample_config();
  Observed obs = k.observe();
  converge(intent, obs, k);  // the sample's own routes, sysctls and sources
  int en1 = k.by_name("en1")->ifindex, en5 = k.by_name("en5")->ifindex;
  for (int i = 0; i < n; ++i) {
    Route r;
    r.family = AF_INET;
    r.dst = IpAddr::v4(0x0a000000u + (200u << 16) + static_cast<uint32_t>(i));  // 10.200.0.0 on
    r.dst_len = 32;
    r.protocol = RTPROT_BOOT;
    r.scope = RT_SCOPE_UNIVERSE;
    bool one = i % 2 == 0;
    r.oif = one ? en1 : en5;
    r.gateway = *IpAddr::parse(one ? "10.68.1.2" : "10.68.5.2");
    if (correct) r.prefsrc = *IpAddr::parse("10.68.6.1");
    k.add_route(r);
  }
  return k;
}

Observed observed(const test::FakeKernel& k) {
  Observed obs = k.observe();
  std::set<std::string> paths;
  for (auto& [p, v] : k.sysctls) paths.insert(p);
  const_cast<test::FakeKernel&>(k).read_sysctls(paths, obs);
  return obs;
}

void plan_bench(benchmark::State& state, bool correct) {
  int n = static_cast<int>(state.range(0));
  test::FakeKernel k = host_with_routes(n, correct);
  Observed obs = observed(k);
  Intent intent;
  intent.config = &sample_config();
  size_t ops = 0;
  for (auto _ : state) {
    Desired d = compute_desired(intent, obs);
    Plan p = reconcile(d, obs);
    ops = p.ops.size();
    benchmark::DoNotOptimize(p);
  }
  state.counters["ops"] = static_cast<double>(ops);
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_PlanAllNeedRewrite(benchmark::State& state) {
  plan_bench(state, false);
}
void BM_PlanAllCorrect(benchmark::State& state) {
  plan_bench(state, true);
}

void BM_ComputeDesired(benchmark::State& state) {
  test::FakeKernel k = host_with_routes(static_cast<int>(state.range(0)), false);
  Observed obs = observed(k);
  Intent intent;
  intent.config = &sample_config();
  for (auto _ : state) benchmark::DoNotOptimize(compute_desired(intent, obs));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// From 100k routes without source to all rewritten, through the fake kernel (one REPLACE each),
// and the pass that finds nothing left to do.
void BM_ConvergeOverFake(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  const test::FakeKernel start = host_with_routes(n, false);
  Intent intent;
  intent.config = &sample_config();
  int passes = 0;
  size_t applied = 0;
  for (auto _ : state) {
    state.PauseTiming();
    test::FakeKernel k = start;
    Observed obs = observed(k);
    state.ResumeTiming();
    ConvergeResult r = converge(intent, obs, k);
    passes = r.passes;
    applied = r.applied.size();
    if (!r.converged) state.SkipWithError("did not converge");
  }
  state.counters["passes"] = passes;
  state.counters["applied"] = static_cast<double>(applied);
  state.SetItemsProcessed(state.iterations() * n);
}

// A restart over a converged kernel: one pass, nothing to do.
void BM_ConvergeAlreadyCorrect(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  test::FakeKernel k = host_with_routes(n, true);
  Intent intent;
  intent.config = &sample_config();
  Observed obs = observed(k);
  for (auto _ : state) {
    ConvergeResult r = converge(intent, obs, k);
    if (!r.applied.empty()) state.SkipWithError("changed something");
  }
  state.SetItemsProcessed(state.iterations() * n);
}

BENCHMARK(BM_PlanAllNeedRewrite)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanAllCorrect)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ComputeDesired)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConvergeOverFake)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConvergeAlreadyCorrect)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vipa
