#include "core/minimap.h"

#include <algorithm>

namespace lurk::ui {

size_t Minimap::bin_of(double t_ns) const {
  double f = (t_ns - start_) / (end_ - start_);
  return size_t(std::clamp(f * double(kBins), 0.0, double(kBins - 1)));
}

void Minimap::adopt(const std::vector<MinimapBin>& bins, double duration_ns) {
  bins_.assign(kBins, MinimapBin());
  if (bins.size() == kBins) bins_ = bins;
  start_ = 0;
  end_ = std::max(duration_ns, 1.0);
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
  bins_.assign(kBins, MinimapBin());
  start_ = 0;
  end_ = std::max<double>(double(model.duration_ns()), 1.0);
}

void Minimap::add(int64_t t_ns, MarkKind kind) {
  MinimapBin& b = bins_[bin_of(double(t_ns))];
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
  if (t.failed) add(t.end_ns, MarkKind::Exception);
}

void Minimap::finish() {
  max_count_ = 0;
  for (const MinimapBin& b : bins_) max_count_ = std::max(max_count_, b.count);
}

}  // namespace lurk::ui
