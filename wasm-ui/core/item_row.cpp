#include "core/item_row.h"

#include "core/item_details.h"

namespace lurk::ui {

std::optional<size_t> item_row(const TimelineLayout& layout, const ProfileModel& model, const ItemRef& item) {
  int32_t group = item_group(model, item);
  if (group < 0) return std::nullopt;
  std::optional<size_t> row;
  if (item.kind == ItemKind::Packet || item.kind == ItemKind::PacketBlock)
    row = layout.packet_row(uint32_t(group), int(item.lane % 2));
  else if (item.kind == ItemKind::Group)
    row = layout.group_row(uint32_t(group));
  else if (item.kind != ItemKind::Counter)
    row = layout.thread_row(item.lane);
  if (!row) row = layout.group_row(uint32_t(group));
  return row;
}

}  // namespace lurk::ui
