// Packet lanes of the timeline frame: a connection's segments per direction,
// merged to the pixel, flagged packets in density columns when zoomed out.
#include "core/timeline_frame_builder.h"

#include <cmath>

#include "core/mark_style.h"

namespace lurk::ui::frame_detail {

void Builder::packet_row(const LayoutRow& r, float top) {
  const LaneGroup& g = model.groups()[r.group];
  const ConnectionLanes& c = model.connections()[size_t(g.connection)];
  int dir = int(r.index);
  float y0 = top + 2, y1 = top + r.height - 2;
  text(view.label_left + 22, top + (r.height - view.text_height) / 2, pal.dim,
       dir == 0 ? "packets A \xe2\x86\x92 B" : "packets B \xe2\x86\x92 A", view.left - 4);
  float x0 = float(map.x_of(double(c.first_ns))), x1 = float(map.x_of(double(c.last_ns)));
  rect(x0, y0 + 5, std::max(x1, x0 + 1), y1 - 5, pal.lane_extent);
  uint32_t lane = uint32_t(g.connection) * 2 + uint32_t(dir);
  LaneDensity density{c.id, dir, 0, 0};
  for (const MarkBlock& b : merge_packet_marks(c, dir, map)) {
    if (b.count > 1 && b.x1 - b.x0 >= kDensityBlockPx) {
      packet_columns(c, dir, lane, b, y0, y1, density);
      continue;
    }
    ItemRef ref{b.count == 1 ? ItemKind::Packet : ItemKind::PacketBlock, lane, b.first, b.count};
    rect(b.x0 - 1, y0, std::max(b.x1 + 1, b.x0 + 1), y1, mark_color(b.kind, view.light), ref,
         outline_for(ref));
    ++density.columns;
    if (b.kind > MarkKind::WindowUpdate) ++density.flagged_columns;
  }
  frame.densities.push_back(density);
}

// A wide merged block (zoomed out) as one column per pixel: plain columns as
// tall as how many packets the pixel holds (log scale), a column holding a
// flagged packet full height in its worst kind's colour, so where losses
// cluster shows instead of one bar in the worst colour of all.
void Builder::packet_columns(const ConnectionLanes& c, int dir, uint32_t lane, const MarkBlock& b,
                             float y0, float y1, LaneDensity& density) {
  const auto& marks = c.lanes[dir];
  auto time_at = [&](size_t i) { return marks[i].t_ns; };
  struct Column {
    float x;
    uint32_t first, count;
    MarkKind worst;
  };
  std::vector<Column> columns;
  size_t end = size_t(b.first) + b.count;
  size_t i = b.first;
  float x = std::floor(std::max(b.x0, view.left));
  uint32_t most = 1;
  while (i < end && x <= std::min(b.x1, right())) {
    size_t j = std::min(end, lod_detail::first_at_or_after(marks.size(), map.t_of(x + 1), time_at));
    j = std::max(j, i);
    if (j > i) {
      MarkKind worst = MarkKind(c.severity[dir].max(i, j));
      columns.push_back({x, uint32_t(i), uint32_t(j - i), worst});
      most = std::max(most, uint32_t(j - i));
      i = j;
      x += 1;
    } else {
      // Jump to the pixel of the next packet.
      x = std::max(x + 1, std::floor(float(map.x_of(double(marks[i].t_ns)))));
    }
  }
  float full = y1 - y0;
  for (const Column& col : columns) {
    ItemRef ref{col.count == 1 ? ItemKind::Packet : ItemKind::PacketBlock, lane, col.first, col.count};
    bool flagged = col.worst > MarkKind::WindowUpdate;
    float h = flagged ? full
                      : std::max(3.0f, full * std::log1p(float(col.count)) / std::log1p(float(most)));
    rect(col.x, y1 - h, col.x + 1, y1, mark_color(col.worst, view.light), ref, outline_for(ref));
    ++density.columns;
    if (flagged) ++density.flagged_columns;
  }
}

}  // namespace lurk::ui::frame_detail
