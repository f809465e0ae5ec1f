// The per-connection graphs under the timeline: the Stevens time/sequence
// graph (data segments, ACK line, window line, retransmissions marked),
// throughput and RTT over time. They share the timeline's time window (same
// x axis, same label column) and draw the time cursor where the pointer is.
// The selected connection's packets are read once on selection; each frame
// turns the visible range into draw records (core/stevens_graph etc.) and
// only emits them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/stevens_graph.h"
#include "core/remote_samples.h"
#include "core/stevens_series.h"
#include "core/time_window.h"

struct ImDrawList;

namespace lurk {
class Database;
}

namespace lurk::ui {

class GraphsPanel {
 public:
  // Height to leave under the timeline: 0 without a selected connection.
  float wanted_height(std::optional<int64_t> connection, float available) const;
  // Draws the graphs of `connection` in the rest of the window. `label_width`
  // is the timeline's label column, so that both x axes line up.
  void draw(Database& db, int64_t origin_ns, const TimeWindow& window, int64_t connection,
            float label_width);
  // Forgets the loaded series (a new profile was opened).
  void reset();
  // Server-backed: the connection's packets come from lurk view, not `db`
  // (nullptr: in-browser).
  void set_remote(RemoteConnectionSamples* remote) {
    remote_ = remote;
    reset();
  }

  std::optional<GraphsSummary> summary() const;
  // Time under the pointer over the graphs last frame (relative ns): the
  // timeline draws the cursor on through its rows.
  std::optional<double> cursor() const { return cursor_t_; }

  struct Plot;  // one graph's area (graphs_panel.cpp)

 private:
  void draw_stevens(ImDrawList* draw, const Plot& plot, const TimeWindow& window);
  void draw_throughput(ImDrawList* draw, const Plot& plot, const TimeWindow& window);
  void draw_rtt(ImDrawList* draw, const Plot& plot, const TimeWindow& window);
  void draw_cursor(ImDrawList* draw, const Plot& first, const Plot& last, const TimeWindow& window);
  std::string cursor_values(double t) const;
  std::optional<double> cursor_t_;

  RemoteConnectionSamples* remote_ = nullptr;
  std::optional<ConnectionSeries> series_;
  std::optional<std::string> load_error_;
  int64_t loaded_connection_ = -1;
  GraphsSummary summary_;
};

}  // namespace lurk::ui
