// The details panel on the right: every field of the selected item (packet
// header and analysis with the duplicated frame, span args, exception text
// and stack, thread lineage). Packet fields come from the profile, read once
// when the selection changes.
#pragma once

#include "core/item_details.h"
#include "core/item_ref.h"
#include "core/profile_model.h"

namespace lurk {
class Database;
}

namespace lurk::ui {

class DetailsPanel {
 public:
  void draw(const ProfileModel& model, Database* db, const ItemRef& selected);
  // Server-backed viewing: the details as lurk view described them
  // (TimelinePanel::describe), drawn as they are each frame.
  void draw(const ItemRef& selected, const ItemDetails& details);
  void reset() { shown_ = {}; }

 private:
  ItemRef shown_;
  ItemDetails details_;
  void draw_fields(const ItemRef& selected) const;
};

}  // namespace lurk::ui
