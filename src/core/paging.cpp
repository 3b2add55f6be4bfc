#include "core/paging.h"

namespace vipa {

using nlohmann::json;

using control::is_non_negative_integer;

Result<Page> parse_page(const json& req, const std::string& cmd, size_t max_limit) {
  Page p;
  p.limit = max_limit;
  if (req.is_object() && req.contains("offset")) {
    const json& o = req["offset"];
    if (!is_non_negative_integer(o))
      return Error::msg(cmd + ": \"offset\" must be a non-negative integer");
    p.offset = o.get<size_t>();
  }
  if (req.is_object() && req.contains("limit")) {
    const json& l = req["limit"];
    if (!is_non_negative_integer(l) || l.get<uint64_t>() == 0 || l.get<uint64_t>() > max_limit)
      return Error::msg(cmd + ": \"limit\" must be an integer from 1 to " +
                        std::to_string(max_limit));
    p.limit = l.get<size_t>();
  }
  return p;
}

void add_page_fields(json& answer, const Page& page, size_t count, size_t total) {
  answer["total"] = total;
  if (page.offset < total && total - page.offset > count) answer["next"] = page.offset + count;
}

Result<std::optional<size_t>> next_page_offset(const json& answer, size_t offset) {
  if (!answer.is_object() || !answer.contains("next")) return std::optional<size_t>();
  const json& n = answer["next"];
  if (!is_non_negative_integer(n) || n.get<uint64_t>() <= offset)
    return Error::msg("the answer's \"next\" (" +
                      n.dump(-1, ' ', false, json::error_handler_t::replace) +
                      ") does not move past offset " + std::to_string(offset));
  return std::optional<size_t>(n.get<size_t>());
}

}  // namespace vipa
