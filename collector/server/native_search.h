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

}  // namespace lurk::server
