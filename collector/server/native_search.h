// `/` search in server-backed viewing (docs/server.md): the query run over
// every thread lane of lurk view's lane store (its arrays in the mapping,
// each lane's pages given back after its scan), not over the lazy model,
// which holds only the lanes on screen. Names and thread labels are
// searched as in-browser; args texts are not (the store keeps none, and
// reading them would read every row of the profile): the page says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/item_ref.h"
#include "core/profile_model.h"
#include "core/search_index.h"
#include "server/lane_store.h"

namespace lurk::server {

// Runs `query` into `search` (its count and each lane's match bits, no hit
// list); false, `search` cleared, when a lane is neither in the store nor
// held by the model.
bool run_search_in_store(const LaneStore& store, const ui::ProfileModel& model, ui::SearchIndex& search,
                         const std::string& query);

struct SearchStep {
  ui::ItemRef item;
  int64_t t_ns = 0;  // where the page centres it (item_time)
};

// Enter / shift+Enter (GET /mark?q=): the match after (`forward`) or before
// `current` when it is a match, else after / before the time `t_ns`, in the
// order the page steps through them in-browser (SearchIndex::hits: by time,
// then lane, a thread before its spans before its instants, each by index),
// wrapping around. Each lane's first match past the cursor is found by a
// binary search of each of its sorted runs (the spans of one depth, the
// instants) and its match bits from there. nullopt with `none` set when
// nothing matches; unset when a lane can be read neither from the store nor
// from the model.
std::optional<SearchStep> step_search(const LaneStore& store, const ui::ProfileModel& model,
                                      const ui::SearchIndex& search, const ui::ItemRef& current, double t_ns,
                                      bool forward, bool& none);

}  // namespace lurk::server
