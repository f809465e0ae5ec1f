// The selection and the folded groups of a link (core/view_state.h) in
// stable ids rather than lane indices: a connection by its id, a packet by
// its connection and frame, a thread by its id, a span, running period or
// instant by its thread and place in that thread. Resolving a token against
// a profile says in words what no longer applies (an unknown connection, a
// span past the end of its thread). Portable: unit-tested natively.
#pragma once

#include <optional>
#include <string>

#include "core/item_ref.h"
#include "core/profile_model.h"

namespace lurk::ui {

// "g.7" (connection 7's group), "g.none", "p.7.113" (connection 7's frame
// 113), "th.3", "sp.3.12", "ru.3.0", "in.3.5", "ct.2.40", "pe.gc.1";
// "" for no selection. A merged block is named by its first item.
std::string selection_token(const ProfileModel& model, const ItemRef& item);

struct ResolvedSelection {
  ItemRef item;         // None when the token does not apply to this profile
  std::string problem;  // why not, in words ("" when it applies or is empty)
};
ResolvedSelection resolve_selection(const ProfileModel& model, const std::string& token);

// A group's key in links: its connection's id, or "none" for the threads on
// no connection.
std::string group_key(const ProfileModel& model, uint32_t group);
// The group index of a key, nullopt when this profile has no such group.
std::optional<uint32_t> group_of_key(const ProfileModel& model, const std::string& key);

}  // namespace lurk::ui
