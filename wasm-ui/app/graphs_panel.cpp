#include "app/graphs_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/theme.h"
#include "core/mark_style.h"
#include "core/rtt_graph.h"
#include "core/ruler_ticks.h"
#include "core/throughput_graph.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {

// One graph's area: a label column on the left, the plot on the right.
struct GraphsPanel::Plot {
  ImVec2 label_min;
  float left = 0, top = 0, width = 0, height = 0;
  float right() const { return left + width; }
  float bottom() const { return top + height; }
  // Maps a value of [lo, hi] to a y inside the plot, with a small margin.
  float y_of(double v, double lo, double hi) const {
    double f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return float(bottom() - 4 - f * double(height - 8));
  }
  bool contains(ImVec2 p) const { return p.x >= left && p.x <= right() && p.y >= top && p.y <= bottom(); }
};

namespace {

constexpr float kPlotGap = 6;

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (std::abs(bytes) >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
  return text;
}

void draw_frame(ImDrawList* draw, const GraphsPanel::Plot& plot, const TimeWindow& window,
                const char* title,
                const std::string& top_label, const std::string& bottom_label) {
  const ThemeColors& c = app_theme().colors();
  draw->AddRectFilled(ImVec2(plot.left, plot.top), ImVec2(plot.right(), plot.bottom()),
                      c.plot_background);
  draw->AddRect(ImVec2(plot.left, plot.top), ImVec2(plot.right(), plot.bottom()), c.plot_border);
  for (const RulerTick& tick : ruler_ticks(window, plot.left, plot.width))
    draw->AddLine(ImVec2(tick.x, plot.top + 1), ImVec2(tick.x, plot.bottom() - 1), c.grid);
  float line = ImGui::GetTextLineHeight();
  draw->AddText(ImVec2(plot.label_min.x + 8, plot.top + 2), c.text, title);
  ImVec2 top_size = ImGui::CalcTextSize(top_label.c_str());
  ImVec2 bottom_size = ImGui::CalcTextSize(bottom_label.c_str());
  draw->AddText(ImVec2(plot.left - top_size.x - 6, plot.top + 2), c.text_dim, top_label.c_str());
  if (plot.height > 2.5f * line)
    draw->AddText(ImVec2(plot.left - bottom_size.x - 6, plot.bottom() - line - 2), c.text_dim,
                  bottom_label.c_str());
}

}  // namespace

void GraphsPanel::reset() {
  series_.reset();
  load_error_.reset();
  loaded_connection_ = -1;
  summary_ = {};
}

float GraphsPanel::wanted_height(std::optional<int64_t> connection, float available) const {
  if (!connection) return 0;
  return std::clamp(available * 0.42f, 150.0f, 520.0f);
}

std::optional<GraphsSummary> GraphsPanel::summary() const {
  if (!series_) return std::nullopt;
  return summary_;
}

void GraphsPanel::draw(Database& db, int64_t origin_ns, const TimeWindow& window,
                       int64_t connection, float label_width) {
  if (loaded_connection_ != connection) {
    loaded_connection_ = connection;
    load_error_.reset();
    series_.reset();
    if (!remote_) {
      try {
        series_ = ConnectionSeries::load(db, connection, origin_ns);
      } catch (const std::exception& e) {
        load_error_ = std::string("cannot read this connection's packets: ") + e.what();
      }
    }
  }
  if (remote_ && !series_ && !load_error_) {
    if (const std::vector<TcpSample>* samples = remote_->get(connection))
      series_ = ConnectionSeries::build(connection, *samples);
    else if (!remote_->problem().empty())
      load_error_ = remote_->problem();
  }
  ImVec2 origin = ImGui::GetCursorScreenPos();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  ImGui::Dummy(ImVec2(std::max(1.0f, avail.x), std::max(1.0f, avail.y)));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  if (load_error_ || !series_) {
    bool asking = !load_error_ && remote_;
    draw->AddText(ImVec2(origin.x + 8, origin.y + 8),
                  asking ? app_theme().colors().text_dim : IM_COL32(255, 120, 120, 255),
                  load_error_ ? load_error_->c_str()
                  : asking    ? "Asking lurk view for this connection's packets\xe2\x80\xa6"
                              : "no connection");
    return;
  }
  // Stevens gets half the height, throughput and RTT a quarter each.
  float usable = std::max(30.0f, avail.y - 2 * kPlotGap);
  float heights[3] = {usable * 0.5f, usable * 0.25f, usable * 0.25f};
  Plot plots[3];
  float y = origin.y;
  for (int k = 0; k < 3; ++k) {
    plots[k].label_min = ImVec2(origin.x, y);
    plots[k].left = origin.x + label_width;
    plots[k].width = std::max(1.0f, avail.x - label_width);
    plots[k].top = y;
    plots[k].height = heights[k];
    y += heights[k] + kPlotGap;
  }
  summary_ = {};
  summary_.connection = connection;
  summary_.data_direction = series_->data_direction();
  summary_.segments = int64_t(series_->segments().size());
  summary_.acks = int64_t(series_->ack_values().size());
  summary_.rtt_samples = int64_t(series_->rtt_values().size());
  summary_.retransmissions = series_->retransmissions();
  summary_.max_seq = series_->max_seq();
  draw->PushClipRect(origin, ImVec2(origin.x + avail.x, origin.y + avail.y), true);
  draw_stevens(draw, plots[0], window);
  draw_throughput(draw, plots[1], window);
  draw_rtt(draw, plots[2], window);
  draw_cursor(draw, plots[0], plots[2], window);
  draw->PopClipRect();
}

void GraphsPanel::draw_stevens(ImDrawList* draw, const Plot& plot, const TimeWindow& window) {
  const ThemeColors& colors = app_theme().colors();
  bool light = app_theme().light();
  StevensGraph g = build_stevens_graph(*series_, window, plot.left, plot.width);
  char title[64];
  std::snprintf(title, sizeof title, "time / sequence (%s)",
                series_->data_direction() == 0 ? "A \xe2\x86\x92 B" : "B \xe2\x86\x92 A");
  draw_frame(draw, plot, window, title, format_bytes(g.seq_hi), format_bytes(g.seq_lo));
  draw->PushClipRect(ImVec2(plot.left, plot.top), ImVec2(plot.right(), plot.bottom()), true);
  // The window line, then the ACK line, as steps carried from column to column.
  auto step_line = [&](const std::vector<StepColumn>& columns, bool has_before, double before,
                       uint32_t color) {
    float prev_x = plot.left;
    std::optional<double> prev;
    if (has_before) prev = before;
    for (const StepColumn& c : columns) {
      if (prev) {
        float py = plot.y_of(*prev, g.seq_lo, g.seq_hi);
        draw->AddLine(ImVec2(prev_x, py), ImVec2(c.x0, py), color, 1.5f);
      }
      double lo = prev ? std::min(*prev, c.lo) : c.lo, hi = prev ? std::max(*prev, c.hi) : c.hi;
      draw->AddLine(ImVec2(c.x0, plot.y_of(lo, g.seq_lo, g.seq_hi)),
                    ImVec2(c.x0, plot.y_of(hi, g.seq_lo, g.seq_hi)), color, 1.5f);
      prev_x = c.x1;
      prev = c.last;
    }
    if (prev) {
      float py = plot.y_of(*prev, g.seq_lo, g.seq_hi);
      draw->AddLine(ImVec2(prev_x, py), ImVec2(plot.right(), py), color, 1.5f);
    }
  };
  step_line(g.windows, g.has_window_before, g.window_before, colors.window_line);
  step_line(g.acks, g.has_ack_before, g.ack_before, colors.ack_line);
  for (const SeqBlock& b : g.segments) {
    float y_hi = plot.y_of(b.seq_hi, g.seq_lo, g.seq_hi);
    float y_lo = std::max(plot.y_of(b.seq_lo, g.seq_lo, g.seq_hi), y_hi + 2);
    uint32_t color = b.kind == MarkKind::Normal ? colors.data_segment : mark_color(b.kind, light);
    draw->AddRectFilled(ImVec2(b.x0 - 1, y_hi), ImVec2(std::max(b.x1, b.x0) + 1, y_lo), color);
    // Retransmissions get a marker above the bar, visible at every zoom.
    if (b.kind >= MarkKind::Spurious && b.kind != MarkKind::Reset) {
      ++summary_.retransmission_blocks;
      draw->AddTriangleFilled(ImVec2(b.x0 - 5, y_hi - 9), ImVec2(b.x0 + 5, y_hi - 9),
                              ImVec2(b.x0, y_hi - 2), color);
    }
  }
  draw->PopClipRect();
  summary_.segment_blocks = int64_t(g.segments.size());
  summary_.ack_columns = int64_t(g.acks.size());
  // Legend: a short stroke of each line's color before its name.
  float line = ImGui::GetTextLineHeight();
  float legend_y = plot.top + 4 + line;
  auto legend = [&](float x, uint32_t color, const char* name) {
    draw->AddLine(ImVec2(x, legend_y + line / 2), ImVec2(x + 14, legend_y + line / 2), color, 2.0f);
    draw->AddText(ImVec2(x + 18, legend_y), colors.text_dim, name);
  };
  legend(plot.label_min.x + 8, colors.ack_line, "ACK");
  legend(plot.label_min.x + 70, colors.window_line, "window");
  legend(plot.label_min.x + 150, colors.data_segment, "data");
}

void GraphsPanel::draw_throughput(ImDrawList* draw, const Plot& plot, const TimeWindow& window) {
  const ThemeColors& colors = app_theme().colors();
  ThroughputGraph g = build_throughput_graph(*series_, window, plot.left, plot.width);
  double top = g.peak > 0 ? g.peak * 1.1 : 1;
  draw_frame(draw, plot, window, "throughput", g.peak > 0 ? format_bytes(top) + "/s" : "", "0");
  draw->PushClipRect(ImVec2(plot.left, plot.top), ImVec2(plot.right(), plot.bottom()), true);
  for (size_t i = 1; i < g.points.size(); ++i) {
    const RatePoint& a = g.points[i - 1];
    const RatePoint& b = g.points[i];
    float ya = plot.y_of(a.bytes_per_s, 0, top), yb = plot.y_of(b.bytes_per_s, 0, top);
    draw->AddQuadFilled(ImVec2(a.x, ya), ImVec2(b.x, yb), ImVec2(b.x, plot.bottom()),
                        ImVec2(a.x, plot.bottom()), colors.throughput_fill);
    draw->AddLine(ImVec2(a.x, ya), ImVec2(b.x, yb), colors.throughput_line, 1.5f);
  }
  draw->PopClipRect();
  summary_.throughput_points = int64_t(g.points.size());
  summary_.peak_throughput = g.peak;
}

void GraphsPanel::draw_rtt(ImDrawList* draw, const Plot& plot, const TimeWindow& window) {
  const ThemeColors& colors = app_theme().colors();
  RttGraph g = build_rtt_graph(*series_, window, plot.left, plot.width);
  double top = g.max_ns > 0 ? g.max_ns * 1.1 : 1;
  draw_frame(draw, plot, window, "RTT", g.max_ns > 0 ? format_duration(top) : "", "0");
  draw->PushClipRect(ImVec2(plot.left, plot.top), ImVec2(plot.right(), plot.bottom()), true);
  if (g.columns.empty())
    draw->AddText(ImVec2(plot.left + 8, plot.top + 4), colors.text_dim,
                  series_->rtt_values().empty() ? "no RTT samples in this connection"
                                                : "no RTT samples in view");
  for (const RttColumn& c : g.columns) {
    float y_hi = plot.y_of(c.hi_ns, 0, top), y_lo = plot.y_of(c.lo_ns, 0, top);
    draw->AddRectFilled(ImVec2(c.x0 - 1.5f, y_hi - 1.5f), ImVec2(std::max(c.x1, c.x0) + 1.5f, y_lo + 1.5f),
                        colors.rtt_point);
  }
  draw->PopClipRect();
  summary_.rtt_columns = int64_t(g.columns.size());
}

void GraphsPanel::draw_cursor(ImDrawList* draw, const Plot& first, const Plot& last,
                              const TimeWindow& window) {
  cursor_t_.reset();
  ImVec2 mouse = ImGui::GetIO().MousePos;
  if (mouse.x < first.left || mouse.x > first.right() || !ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows)) return;
  const ThemeColors& colors = app_theme().colors();
  draw->AddLine(ImVec2(mouse.x, first.top), ImVec2(mouse.x, last.bottom()), colors.cursor);
  double t = window.t_of(mouse.x, first.left, first.width);
  cursor_t_ = t;
  std::string label = format_duration(t) + cursor_values(t);
  // Right of the cursor, or left of it when it would run past the graphs.
  float width = ImGui::CalcTextSize(label.c_str()).x;
  float x = mouse.x + 4 + width > last.right() ? mouse.x - 4 - width : mouse.x + 4;
  draw->AddText(ImVec2(x, last.bottom() - ImGui::GetTextLineHeight() - 2), colors.text, label.c_str());
}

// The graphs' values in force at t: the last data segment's sequence number,
// the last ACK, the last RTT sample ("  ·  seq 14600  ·  ack 13140  ·  RTT 4.1 ms").
std::string GraphsPanel::cursor_values(double t) const {
  if (!series_) return "";
  auto last_at = [t](std::span<const int64_t> times) -> int64_t {
    auto it = std::upper_bound(times.begin(), times.end(), int64_t(std::floor(t)));
    return it == times.begin() ? -1 : int64_t(it - times.begin()) - 1;
  };
  std::string out;
  char text[64];
  if (int64_t i = last_at(series_->segment_times()); i >= 0) {
    std::snprintf(text, sizeof text, "  \xc2\xb7  seq %.0f", series_->segments()[size_t(i)].seq);
    out += text;
  }
  if (int64_t i = last_at(series_->ack_times()); i >= 0) {
    std::snprintf(text, sizeof text, "  \xc2\xb7  ack %.0f", series_->ack_values()[size_t(i)]);
    out += text;
  }
  if (int64_t i = last_at(series_->rtt_times()); i >= 0)
    out += "  \xc2\xb7  RTT " + format_duration(series_->rtt_values()[size_t(i)]);
  return out;
}

}  // namespace lurk::ui
