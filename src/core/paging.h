// Paging of the long read-only answers (`routes`, `route_costs`; docs/control-protocol.md):
// the request's "offset" and "limit", the answer's "total" and "next", and the client's rule
// for following "next". Pure.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"
#include "control/request.h"

namespace vipa {

// One page: the items [offset, offset + limit) of the whole list.
struct Page {
  size_t offset = 0;
  size_t limit = control::kRoutesPerAnswer;
  // Whether the index-th item of the whole list is on this page.
  bool holds(size_t index) const { return index >= offset && index - offset < limit; }
};

// Reads "offset" (a non-negative integer, default 0) and "limit" (an integer from 1 to
// max_limit, default max_limit) of a request. A field of another type, or a limit of 0 or over
// max_limit, is refused with an error naming the command and the field.
Result<Page> parse_page(const nlohmann::json& req, const std::string& cmd,
                        size_t max_limit = control::kRoutesPerAnswer);

// Adds "total" and, when items follow the `count` on this page, "next" (the offset of the
// following page) to an answer.
void add_page_fields(nlohmann::json& answer, const Page& page, size_t count, size_t total);

// The client's side: the offset to ask for after the page fetched at `offset`, nothing at the
// end (no "next"). A "next" that is not an integer past `offset` is an error, never a loop.
Result<std::optional<size_t>> next_page_offset(const nlohmann::json& answer, size_t offset);

}  // namespace vipa
