// run_search_in_store (native_search.h).
#include "server/native_search.h"

namespace lurk::server {

bool run_search_in_store(const LaneStore& store, const ui::ProfileModel& model, ui::SearchIndex& search,
                         const std::string& query) {
  search.begin(model, query, /*keep_hits=*/false);
  for (uint32_t t = 0; t < model.threads().size(); ++t) {
    std::optional<LaneStore::Items<ui::SpanRecord>> spans = store.spans_of(model, t);
    std::optional<LaneStore::Items<ui::InstantRecord>> instants = store.instants_of(model, t);
    if (!spans || !instants) {
      search.clear();
      return false;
    }
    search.add_thread(model, t, spans->data, spans->size, instants->data, instants->size);
    store.scanned_thread(model, t);
  }
  search.finish();
  return true;
}

}  // namespace lurk::server
