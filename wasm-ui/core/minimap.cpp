// The minimap's bins (minimap.h): built from every lane, or grown by a
// follow update's new rows (ProfileModel::last_append()).
#include "core/minimap.h"

#include <algorithm>
#include <cmath>

namespace lurk::ui {
namespace {

void merge_into(MinimapBin& into, const MinimapBin& bin) {
  into.count += bin.count;
  into.worst = std::max(into.worst, bin.worst);
}

}  // namespace

double Minimap::bin_width(double duration_ns) {
  double width = 1;
  while (width * double(kBins) <= duration_ns) width *= 2;
  return width;
}

size_t Minimap::bin_of(double t_ns) const {
  return size_t(std::clamp(std::floor(t_ns / bin_ns_), 0.0, double(kBins - 1)));
}

void Minimap::adopt(const std::vector<MinimapBin>& bins, double duration_ns) {
  bins_.assign(kBins, MinimapBin());
  if (bins.size() == kBins) bins_ = bins;
  event_bins_ = bins_;
  failures_.clear();
  end_ = std::max(duration_ns, 1.0);
  bin_ns_ = bin_width(end_);
  max_count_ = 0;
  for (const MinimapBin& b : bins_) max_count_ = std::max(max_count_, b.count);
}

void Minimap::build(const ProfileModel& model) {
  begin(model);
  for (const ConnectionLanes& c : model.connections()) add_connection(c);
  for (const ThreadLane& t : model.threads()) add_thread(t);
  finish();
}

void Minimap::begin(const ProfileModel& model) {
  event_bins_.assign(kBins, MinimapBin());
  failures_.clear();
  end_ = std::max<double>(double(model.duration_ns()), 1.0);
  bin_ns_ = bin_width(end_);
}

void Minimap::add(int64_t t_ns, MarkKind kind) {
  MinimapBin& b = event_bins_[bin_of(double(t_ns))];
  ++b.count;
  b.worst = std::max(b.worst, kind);
}

void Minimap::add_connection(const ConnectionLanes& c) {
  for (const auto& lane : c.lanes)
    for (const PacketMark& m : lane) add(m.t_ns, mark_kind(m.analysis, m.tcp_flags));
}

void Minimap::add_thread(const ThreadLane& t) {
  for (const SpanRecord& s : t.spans) add(s.t0_ns, MarkKind::Normal);
  for (const InstantRecord& i : t.instants)
    add(i.t_ns, i.kind == InstantKind::Exception ? MarkKind::Exception : MarkKind::Normal);
  if (t.failed) failures_.push_back(t.end_ns);
}

void Minimap::finish() {
  bins_ = event_bins_;
  for (int64_t t : failures_) merge_into(bins_[bin_of(double(t))], {1, MarkKind::Exception});
  max_count_ = 0;
  for (const MinimapBin& b : bins_) max_count_ = std::max(max_count_, b.count);
}

// Wider bins: each pair merged into one, as many times as it takes (a bin's
// edges are multiples of its width, so a pair is exactly one wider bin).
void Minimap::widen_to(double bin_ns) {
  while (bin_ns_ < bin_ns) {
    for (size_t i = 0; i < kBins / 2; ++i) {
      MinimapBin merged = event_bins_[2 * i];
      merge_into(merged, event_bins_[2 * i + 1]);
      event_bins_[i] = merged;
    }
    std::fill(event_bins_.begin() + kBins / 2, event_bins_.end(), MinimapBin());
    bin_ns_ *= 2;
  }
}

void Minimap::append(const ProfileModel& model) {
  if (event_bins_.size() != kBins) return build(model);
  end_ = std::max<double>(double(model.duration_ns()), 1.0);
  widen_to(bin_width(end_));
  for (const auto& [t_ns, kind] : model.last_append().marks) add(t_ns, MarkKind(kind));
  failures_.clear();
  for (const ThreadLane& t : model.threads())
    if (t.failed) failures_.push_back(t.end_ns);
  finish();
}

}  // namespace lurk::ui
