#include "core/search_index.h"

#include <algorithm>
#include <cctype>

namespace lurk::ui {
namespace {

std::string fold(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool contains_folded(std::string_view text, std::string_view q) {
  if (q.empty()) return false;
  auto it = std::search(text.begin(), text.end(), q.begin(), q.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  return it != text.end();
}

void SearchIndex::clear() {
  query_.clear();
  names_.clear();
  args_.clear();
  hits_.clear();
  lanes_.clear();
}

void SearchIndex::run(const ProfileModel& model, std::string_view query) {
  clear();
  query_ = std::string(query);
  std::string q = fold(query);
  if (q.empty()) return;
  names_.assign(model.string_count(), 0);
  for (size_t i = 1; i < model.string_count(); ++i)
    names_[i] = contains_folded(model.text(uint32_t(i)), q);
  args_.assign(model.args_count(), 0);
  for (size_t i = 1; i < model.args_count(); ++i) args_[i] = contains_folded(model.args(uint32_t(i)), q);

  const auto& threads = model.threads();
  lanes_.assign(threads.size(), LaneMatches());
  for (size_t t = 0; t < threads.size(); ++t) {
    const ThreadLane& lane = threads[t];
    LaneMatches& matches = lanes_[t];
    if (name_matches(lane.name) || name_matches(lane.exception))
      hits_.push_back({lane.start_ns, {ItemKind::Thread, uint32_t(t), 0}});
    for (size_t i = 0; i < lane.spans.size(); ++i)
      if (name_matches(lane.spans[i].name) || args_match(lane.spans[i].args)) {
        hits_.push_back({lane.spans[i].t0_ns, {ItemKind::Span, uint32_t(t), uint32_t(i)}});
        matches.spans.push_back(uint32_t(i));
      }
    for (size_t i = 0; i < lane.instants.size(); ++i)
      if (name_matches(lane.instants[i].name) || args_match(lane.instants[i].args)) {
        hits_.push_back({lane.instants[i].t_ns, {ItemKind::Instant, uint32_t(t), uint32_t(i)}});
        matches.instants.push_back(uint32_t(i));
      }
  }
  std::stable_sort(hits_.begin(), hits_.end(),
                   [](const SearchHit& a, const SearchHit& b) { return a.t_ns < b.t_ns; });
}

bool SearchIndex::item_matches(const ProfileModel& model, const ItemRef& item) const {
  return matches_in(model, item) > 0;
}

uint32_t SearchIndex::matches_in(const ProfileModel& model, const ItemRef& item) const {
  if (!active() || item.lane >= model.threads().size() || item.lane >= lanes_.size()) return 0;
  const ThreadLane& lane = model.threads()[item.lane];
  auto count_in = [&](const std::vector<uint32_t>& sorted, uint32_t count) {
    auto first = std::lower_bound(sorted.begin(), sorted.end(), item.index);
    auto last = std::lower_bound(first, sorted.end(), uint64_t(item.index) + count);
    return uint32_t(last - first);
  };
  switch (item.kind) {
    case ItemKind::Thread: return name_matches(lane.name) || name_matches(lane.exception);
    case ItemKind::Span: return count_in(lanes_[item.lane].spans, 1);
    case ItemKind::SpanBlock: return count_in(lanes_[item.lane].spans, item.count);
    case ItemKind::Instant: return count_in(lanes_[item.lane].instants, 1);
    case ItemKind::InstantBlock: return count_in(lanes_[item.lane].instants, item.count);
    default: return 0;
  }
}

int64_t SearchIndex::next_after(int64_t t_ns, int64_t current) const {
  if (hits_.empty()) return -1;
  if (current >= 0 && current + 1 < int64_t(hits_.size())) return current + 1;
  if (current >= 0) return 0;  // wrap around
  auto it = std::upper_bound(hits_.begin(), hits_.end(), t_ns,
                             [](int64_t t, const SearchHit& h) { return t < h.t_ns; });
  return it == hits_.end() ? 0 : int64_t(it - hits_.begin());
}

int64_t SearchIndex::previous_before(int64_t t_ns, int64_t current) const {
  if (hits_.empty()) return -1;
  if (current > 0) return current - 1;
  if (current == 0) return int64_t(hits_.size()) - 1;
  auto it = std::lower_bound(hits_.begin(), hits_.end(), t_ns,
                             [](const SearchHit& h, int64_t t) { return h.t_ns < t; });
  return it == hits_.begin() ? int64_t(hits_.size()) - 1 : int64_t(it - hits_.begin()) - 1;
}

}  // namespace lurk::ui
