// run_search_in_store (native_search.h).
#include "server/native_search.h"

#include <algorithm>
#include <climits>
#include <tuple>

namespace lurk::server {
namespace {

using ui::ItemKind;

// A match's place in the page's order (SearchIndex::hits, stably sorted by
// time from lane order: thread, spans, instants).
struct MatchKey {
  int64_t t = 0;
  uint32_t lane = 0;
  int kind = 0;  // 0 thread, 1 span, 2 instant
  uint32_t index = 0;
  bool operator<(const MatchKey& o) const {
    return std::tie(t, lane, kind, index) < std::tie(o.t, o.lane, o.kind, o.index);
  }
};

struct BestMatch {
  bool forward = true;
  MatchKey cursor;
  std::optional<MatchKey> key;
  bool past_cursor(const MatchKey& k) const { return forward ? cursor < k : k < cursor; }
  // Whether `k` is no better than the best so far (nothing further along its run can be).
  bool beaten(const MatchKey& k) const { return key && (forward ? *key < k : k < *key); }
  void offer(const MatchKey& k) {
    if (!key || (forward ? k < *key : *key < k)) key = k;
  }
};

// The first match of the run [begin, end) (sorted by time) past the cursor.
template <typename TimeAt>
void step_match_run(const ui::MatchBits& bits, size_t begin, size_t end, uint32_t lane, int kind, BestMatch& best,
              TimeAt time_at) {
  auto first_after = [&](int64_t t, bool inclusive) {  // first index in the run with time >= t (or > t)
    size_t lo = begin, hi = end;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (inclusive ? time_at(mid) < t : time_at(mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  auto key_at = [&](size_t i) { return MatchKey{time_at(i), lane, kind, uint32_t(i)}; };
  end = std::min<size_t>(end, bits.size());  // (the bits were made from these very arrays)
  begin = std::min(begin, end);
  if (best.forward) {
    for (int64_t i = bits.next_from(first_after(best.cursor.t, true)); i < int64_t(end);
         i = bits.next_from(uint64_t(i) + 1)) {
      MatchKey k = key_at(size_t(i));
      if (!best.past_cursor(k)) continue;
      if (!best.beaten(k)) best.offer(k);
      return;
    }
  } else {
    for (int64_t i = bits.previous_before(first_after(best.cursor.t, false)); i >= int64_t(begin);
         i = bits.previous_before(uint64_t(i))) {
      MatchKey k = key_at(size_t(i));
      if (!best.past_cursor(k)) continue;
      if (!best.beaten(k)) best.offer(k);
      return;
    }
  }
}

// One pass over every thread lane; false when one cannot be read.
bool step_matches_from(const LaneStore& store, const ui::ProfileModel& model, const ui::SearchIndex& search, BestMatch& best) {
  for (uint32_t t = 0; t < model.threads().size(); ++t) {
    const ui::ThreadLane& lane = model.threads()[t];
    if (search.thread_matches(lane)) {
      MatchKey k{lane.start_ns, t, 0, 0};
      if (best.past_cursor(k)) best.offer(k);
    }
    const ui::MatchBits* span_bits = search.span_matches(t);
    const ui::MatchBits* instant_bits = search.instant_matches(t);
    if (!span_bits && !instant_bits) continue;
    if (span_bits) {
      auto spans = store.spans_of(model, t);
      auto depths = store.depth_table_of(model, t);
      if (!spans || !depths) return false;
      for (size_t d = 0; d + 1 < depths->size; ++d)
        step_match_run(*span_bits, std::min<size_t>(depths->data[d], spans->size),
                 std::min<size_t>(depths->data[d + 1], spans->size), t, 1, best,
                 [&](size_t i) { return spans->data[i].t0_ns; });
    }
    if (instant_bits) {
      auto instants = store.instants_of(model, t);
      if (!instants) return false;
      step_match_run(*instant_bits, 0, instants->size, t, 2, best, [&](size_t i) { return instants->data[i].t_ns; });
    }
    store.scanned_thread(model, t);
  }
  return true;
}

// The key of `item` when it is a match, read from the store.
std::optional<MatchKey> match_key_of(const LaneStore& store, const ui::ProfileModel& model, const ui::SearchIndex& search,
                          const ui::ItemRef& item) {
  if (!item || item.lane >= model.threads().size() || !search.item_matches(model, item)) return std::nullopt;
  switch (item.kind) {
    case ItemKind::Thread: return MatchKey{model.threads()[item.lane].start_ns, item.lane, 0, 0};
    case ItemKind::Span:
      if (auto spans = store.spans_of(model, item.lane); spans && item.index < spans->size)
        return MatchKey{spans->data[item.index].t0_ns, item.lane, 1, item.index};
      return std::nullopt;
    case ItemKind::Instant:
      if (auto instants = store.instants_of(model, item.lane); instants && item.index < instants->size)
        return MatchKey{instants->data[item.index].t_ns, item.lane, 2, item.index};
      return std::nullopt;
    default: return std::nullopt;
  }
}

}  // namespace

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

std::optional<SearchStep> step_search(const LaneStore& store, const ui::ProfileModel& model,
                                      const ui::SearchIndex& search, const ui::ItemRef& current, double t_ns,
                                      bool forward, bool& none) {
  none = false;
  BestMatch best;
  best.forward = forward;
  // From a time as the page does (SearchIndex::next_after / previous_before):
  // forward, the first match after int64(t); backward, the last before it.
  int64_t t = t_ns <= -9.2e18 ? INT64_MIN : t_ns >= 9.2e18 ? INT64_MAX : int64_t(t_ns);
  std::optional<MatchKey> from = match_key_of(store, model, search, current);
  best.cursor = from ? *from : forward ? MatchKey{t, UINT32_MAX, INT_MAX, UINT32_MAX} : MatchKey{t, 0, INT_MIN, 0};
  if (!step_matches_from(store, model, search, best)) return std::nullopt;
  if (!best.key) {  // around: from the start (or the end)
    best.cursor = forward ? MatchKey{INT64_MIN, 0, INT_MIN, 0} : MatchKey{INT64_MAX, UINT32_MAX, INT_MAX, UINT32_MAX};
    if (!step_matches_from(store, model, search, best)) return std::nullopt;
  }
  if (!best.key) {
    none = true;
    return std::nullopt;
  }
  static constexpr ItemKind kinds[] = {ItemKind::Thread, ItemKind::Span, ItemKind::Instant};
  SearchStep step{{kinds[best.key->kind], best.key->lane, best.key->index}, best.key->t};
  // Centred where the page centres a selected thread (item_time): a failed one at its end.
  if (best.key->kind == 0 && model.threads()[best.key->lane].failed) step.t_ns = model.threads()[best.key->lane].end_ns;
  return step;
}

}  // namespace lurk::server
