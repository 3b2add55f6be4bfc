// Applying a plan's operations through a Dataplane, the same way for the kernel and for the fake.
// Where vipad changes what it does not own (a foreign route's preferred source, a sysctl), the
// original is recorded here, in one place, and saved (Dataplane::save_originals) before the
// change is made; the originals an operation gives back are forgotten here after it succeeded.
#pragma once

#include <utility>
#include <vector>

#include "core/dataplane.h"

namespace vipa {

Status execute(Dataplane& dp, const Op& op, Observed& obs);

// The rewrites' originals are recorded and saved once for the whole lot (a crash mid-way still
// knows them all), then Dataplane::apply_rewrites runs them. Same contract as apply_rewrites.
size_t execute_rewrites(Dataplane& dp, const std::vector<SourceRewrite>& rw, Observed& obs,
                        std::vector<std::pair<size_t, Error>>& failed);

// The pieces, for tests: what applying the operation would overwrite (recorded into obs; true
// when something new was recorded), and whether it gives an original back.
bool record_original(const Op& op, Observed& obs);
bool record_original(const SourceRewrite& w, Observed& obs);
bool gives_back(const Op::ReplaceRoute& r, const Observed& obs);

}  // namespace vipa
