// What the details panel and tooltips say about an item: a title and named
// fields (packet header and analysis with the duplicated frame, span args,
// exception text and stack, thread lineage). Packet header fields that the
// lanes do not keep are read from the profile for the one selected packet.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/item_ref.h"
#include "core/profile_model.h"

namespace lurk {
class Database;
}

namespace lurk::ui {

struct DetailField {
  std::string name, value;
};

struct ItemDetails {
  std::string title;
  std::vector<DetailField> fields;
  // The time it takes (relative ns; a point: t0 == t1), when known: what
  // `f` fits (server-backed, the page's outline does not hold the item).
  std::optional<std::pair<double, double>> extent;
  const std::string* field(const std::string& name) const;
};

// `db` may be null (tests, tooltips): packet fields not in the lanes are left out.
ItemDetails describe_item(const ProfileModel& model, const ItemRef& item, Database* db);
// "SYN ACK", "FIN PSH ACK": TCP flag bits in header order.
std::string tcp_flag_names(uint8_t flags);
// Names of the analysis flag bits, comma-separated.
std::string analysis_names(uint32_t analysis);
// Time of an item (relative ns), for centering; -1 when it has none.
double item_time(const ProfileModel& model, const ItemRef& item);
// The time an item takes: a span's or thread's [start, end], a point's
// [t, t]; nullopt when the model does not hold it (or it has no time).
std::optional<std::pair<double, double>> item_extent(const ProfileModel& model, const ItemRef& item);
// Group an item belongs to, -1 when none.
int32_t item_group(const ProfileModel& model, const ItemRef& item);
// Whether the model holds the item's data (its lane and its index in it).
// In server-backed viewing the page's model is the profile's outline: a
// packet, span, instant or counter sample of a frame drawn by `lurk view`
// is not in it, and is described by the server (GET /item) instead.
bool item_in_model(const ProfileModel& model, const ItemRef& item);

}  // namespace lurk::ui
