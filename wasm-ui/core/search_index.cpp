#include "core/search_index.h"

#include <algorithm>
#include <cctype>

namespace lurk::ui {
std::string folded_query(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_folded(std::string_view text, std::string_view q) {
  if (q.empty()) return false;
  auto it = std::search(text.begin(), text.end(), q.begin(), q.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  return it != text.end();
}

uint32_t MatchBits::rank(uint64_t i) const {
  if (words_.empty()) return 0;
  if (i >= n_) return uint32_t(total());
  uint64_t below = words_[i / 64] & ((uint64_t(1) << (i % 64)) - 1);
  return before_[i / 64] + uint32_t(__builtin_popcountll(below));
}

int64_t MatchBits::next_from(uint64_t i) const {
  for (uint64_t w = i / 64; w < words_.size(); ++w) {
    uint64_t bits = words_[w];
    if (w == i / 64) bits &= ~uint64_t(0) << (i % 64);
    if (bits) return int64_t(w * 64 + uint64_t(__builtin_ctzll(bits)));
  }
  return int64_t(n_);
}

int64_t MatchBits::previous_before(uint64_t i) const {
  if (i > n_) i = n_;
  if (words_.empty()) return -1;
  for (uint64_t w = (i + 63) / 64; w-- > 0;) {
    uint64_t bits = words_[w];
    if (w == i / 64) bits &= (uint64_t(1) << (i % 64)) - 1;
    if (bits) return int64_t(w * 64 + 63 - uint64_t(__builtin_clzll(bits)));
  }
  return -1;
}

void SearchIndex::clear() {
  query_.clear();
  folded_.clear();
  names_.clear();
  args_.clear();
  hits_.clear();
  lanes_.clear();
  match_count_ = 0;
  args_searched_ = 1;
}

void SearchIndex::run(const ProfileModel& model, std::string_view query) {
  begin(model, query);
  if (!active()) return;
  const auto& threads = model.threads();
  for (size_t t = 0; t < threads.size(); ++t) {
    const ThreadLane& lane = threads[t];
    add_thread(model, uint32_t(t), lane.spans.data(), lane.spans.size(), lane.instants.data(), lane.instants.size());
  }
  finish();
}

void SearchIndex::begin(const ProfileModel& model, std::string_view query, bool keep_hits) {
  clear();
  query_ = std::string(query);
  folded_ = folded_query(query);
  keep_hits_ = keep_hits;
  if (folded_.empty()) {
    query_.clear();
    return;
  }
  names_.assign(model.string_count(), 0);
  for (size_t i = 1; i < model.string_count(); ++i)
    names_[i] = contains_folded(model.text(uint32_t(i)), folded_);
  args_.assign(model.args_count(), 0);
  for (size_t i = 1; i < model.args_count(); ++i) args_[i] = contains_folded(model.args(uint32_t(i)), folded_);
  lanes_.assign(model.threads().size(), LaneMatches());
}

void SearchIndex::add_thread(const ProfileModel& model, uint32_t t, const SpanRecord* spans, size_t span_count,
                             const InstantRecord* instants, size_t instant_count) {
  if (!active() || t >= lanes_.size()) return;
  const ThreadLane& lane = model.threads()[t];
  LaneMatches& matches = lanes_[t];
  if (thread_matches(lane)) {
    ++match_count_;
    if (keep_hits_) hits_.push_back({lane.start_ns, {ItemKind::Thread, t, 0}});
  }
  matches.spans.build(span_count, [&](size_t i) { return name_matches(spans[i].name) || args_match(spans[i].args); });
  matches.instants.build(instant_count,
                         [&](size_t i) { return name_matches(instants[i].name) || args_match(instants[i].args); });
  match_count_ += matches.spans.total() + matches.instants.total();
  if (!keep_hits_) return;
  for (int64_t i = matches.spans.next_from(0); i < int64_t(span_count); i = matches.spans.next_from(uint64_t(i) + 1))
    hits_.push_back({spans[i].t0_ns, {ItemKind::Span, t, uint32_t(i)}});
  for (int64_t i = matches.instants.next_from(0); i < int64_t(instant_count);
       i = matches.instants.next_from(uint64_t(i) + 1))
    hits_.push_back({instants[i].t_ns, {ItemKind::Instant, t, uint32_t(i)}});
}

void SearchIndex::finish() {
  std::stable_sort(hits_.begin(), hits_.end(),
                   [](const SearchHit& a, const SearchHit& b) { return a.t_ns < b.t_ns; });
}

bool SearchIndex::add_matches(uint32_t t, const MatchBits& spans, const MatchBits& instants) {
  if (!active() || t >= lanes_.size()) return false;
  LaneMatches& m = lanes_[t];
  // A lane without a match of its names has bits of its size all the same (MatchBits::build).
  if (spans.size() != m.spans.size() || instants.size() != m.instants.size()) return false;
  auto merge = [&](MatchBits& held, const MatchBits& more) {
    if (more.total() == 0) return;
    MatchBits before = std::move(held);
    held.build(more.size(), [&](size_t i) { return before.test(i) || more.test(i); });
    match_count_ += held.total() - before.total();
  };
  merge(m.spans, spans);
  merge(m.instants, instants);
  return true;
}

const MatchBits* SearchIndex::span_matches(uint32_t thread) const {
  return thread < lanes_.size() && lanes_[thread].spans.total() ? &lanes_[thread].spans : nullptr;
}

const MatchBits* SearchIndex::instant_matches(uint32_t thread) const {
  return thread < lanes_.size() && lanes_[thread].instants.total() ? &lanes_[thread].instants : nullptr;
}

bool SearchIndex::item_matches(const ProfileModel& model, const ItemRef& item) const {
  return matches_in(model, item) > 0;
}

uint32_t SearchIndex::matches_in(const ProfileModel& model, const ItemRef& item) const {
  if (!active() || item.lane >= model.threads().size() || item.lane >= lanes_.size()) return 0;
  const ThreadLane& lane = model.threads()[item.lane];
  const LaneMatches& m = lanes_[item.lane];
  switch (item.kind) {
    case ItemKind::Thread: return thread_matches(lane);
    case ItemKind::Span: return m.spans.count(item.index, 1);
    case ItemKind::SpanBlock: return m.spans.count(item.index, item.count);
    case ItemKind::Instant: return m.instants.count(item.index, 1);
    case ItemKind::InstantBlock: return m.instants.count(item.index, item.count);
    default: return 0;
  }
}

int64_t SearchIndex::hit_index(const ItemRef& item) const {
  if (!item) return -1;
  for (size_t i = 0; i < hits_.size(); ++i)  // once per Enter: a scan is fine
    if (hits_[i].item == item) return int64_t(i);
  return -1;
}

int64_t SearchIndex::next_after(int64_t t_ns, int64_t current) const {
  if (hits_.empty()) return -1;
  if (current >= int64_t(hits_.size())) current = -1;  // of another query's hits
  if (current >= 0 && current + 1 < int64_t(hits_.size())) return current + 1;
  if (current >= 0) return 0;  // wrap around
  auto it = std::upper_bound(hits_.begin(), hits_.end(), t_ns,
                             [](int64_t t, const SearchHit& h) { return t < h.t_ns; });
  return it == hits_.end() ? 0 : int64_t(it - hits_.begin());
}

int64_t SearchIndex::previous_before(int64_t t_ns, int64_t current) const {
  if (hits_.empty()) return -1;
  if (current >= int64_t(hits_.size())) current = -1;  // of another query's hits
  if (current > 0) return current - 1;
  if (current == 0) return int64_t(hits_.size()) - 1;
  auto it = std::lower_bound(hits_.begin(), hits_.end(), t_ns,
                             [](const SearchHit& h, int64_t t) { return h.t_ns < t; });
  return it == hits_.begin() ? int64_t(hits_.size()) - 1 : int64_t(it - hits_.begin()) - 1;
}

}  // namespace lurk::ui
