#include "core/snapshot.h"

#include <nlohmann/json.hpp>

namespace lurk::ui {
namespace {

nlohmann::json optional_int(const std::optional<int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json selection_json(const SnapshotState& s) {
  if (s.selection) {
    const SnapshotSelection& sel = *s.selection;
    nlohmann::json j = {{"kind", sel.kind}, {"connection", optional_int(sel.connection)},
                        {"thread", optional_int(sel.thread)}, {"count", sel.count},
                        {"finding", sel.finding}, {"title", sel.title},
                        {"rowOnScreen", sel.row_on_screen}};
    if (sel.frame) j["frame"] = *sel.frame;
    j["t"] = sel.t_ns ? nlohmann::json(*sel.t_ns) : nlohmann::json(nullptr);
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& [name, value] : sel.fields) fields[name] = value;
    j["fields"] = fields;
    return j;
  }
  if (!s.selected_connection) return nullptr;
  nlohmann::json selection = {{"kind", s.selected_frame ? "packet" : "connection"},
                              {"connection", *s.selected_connection}};
  if (s.selected_frame) selection["frame"] = *s.selected_frame;
  return selection;
}

nlohmann::json findings_panel_json(const SnapshotFindingsPanel& p) {
  nlohmann::json rows = nlohmann::json::array();
  for (const SnapshotFindingRow& r : p.rows)
    rows.push_back({{"rank", r.rank}, {"kind", r.kind}, {"severity", r.severity},
                    {"title", r.title}, {"detail", r.detail},
                    {"connection", optional_int(r.connection)}, {"thread", optional_int(r.thread)},
                    {"ts", optional_int(r.ts_ns)}});
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& [kind, count] : p.kinds) kinds[kind] = count;
  nlohmann::json drawn_rows = nlohmann::json::array(), drawn_kinds = nlohmann::json::array();
  for (const SnapshotPlace& r : p.drawn_rows)
    drawn_rows.push_back({{"rank", std::stoll(r.name)}, {"x", r.x}, {"y", r.y}});
  for (const SnapshotPlace& k : p.drawn_kinds)
    drawn_kinds.push_back({{"kind", k.name}, {"x", k.x}, {"y", k.y}});
  return {{"shown", p.shown}, {"rows", rows}, {"count", p.count}, {"kinds", kinds},
          {"current", p.current}, {"currentRank", p.current_rank}, {"filter", p.filter},
          {"drawnRows", drawn_rows}, {"drawnKinds", drawn_kinds}};
}

}  // namespace

std::string snapshot_json(const SnapshotState& s) {
  nlohmann::json j;
  j["ready"] = s.ready;
  j["error"] = s.error ? nlohmann::json(*s.error) : nlohmann::json(nullptr);
  j["openError"] = s.open_error ? nlohmann::json(*s.open_error) : nlohmann::json(nullptr);
  j["statusText"] = s.status_text ? nlohmann::json(*s.status_text) : nlohmann::json(nullptr);
  nlohmann::json problem_rows = nlohmann::json::array();
  for (const IngestProblemRow& r : s.ingest_problems.rows)
    problem_rows.push_back({{"file", r.file}, {"byteOffset", optional_int(r.byte_offset)},
                            {"line", optional_int(r.line)}, {"kind", r.kind}, {"message", r.message}});
  j["ingestProblems"] = {{"shown", s.ingest_problems.shown}, {"warnings", s.ingest_problems.warnings},
                         {"rows", problem_rows}, {"total", s.ingest_problems.total}};
  j["loading"] = s.loading ? nlohmann::json({{"name", *s.loading}, {"fraction", s.loading_fraction}})
                           : nlohmann::json(nullptr);
  j["counts"] = {{"connections", s.counts.connections},
                 {"packets", s.counts.packets},
                 {"threads", s.counts.threads},
                 {"events", s.counts.events}};
  // Absolute nanoseconds as JSON numbers: exact to about 0.25 µs for epoch times.
  j["visibleRange"] = s.has_range ? nlohmann::json::array({s.visible_t0_ns, s.visible_t1_ns})
                                  : nlohmann::json(nullptr);
  j["selection"] = selection_json(s);
  j["lastFrameMs"] = s.last_frame_ms;
  j["frames"] = s.frames;
  j["primitives"] = s.primitives;

  nlohmann::json groups = nlohmann::json::array();
  for (const SnapshotGroup& g : s.groups)
    groups.push_back({{"connection", optional_int(g.connection)}, {"label", g.label},
                      {"threads", g.threads}, {"collapsed", g.collapsed},
                      {"y", g.y ? nlohmann::json(*g.y) : nlohmann::json(nullptr)}});
  j["groups"] = groups;
  j["groupCount"] = s.group_count;
  j["search"] = {{"query", s.search_query}, {"matches", s.search_matches}, {"argsSearched", s.search_args_searched},
                 {"current", s.search_current}, {"focused", s.search_focused},
                 {"onScreen", s.search_on_screen}, {"blocksOnScreen", s.search_blocks_on_screen}};
  j["help"] = s.help;
  j["findings"] = {{"count", s.findings}, {"current", s.finding_current}};
  j["findingsPanel"] = findings_panel_json(s.findings_panel);
  if (s.measure) {
    j["measure"] = {{"t0", s.measure->t0_ns}, {"t1", s.measure->t1_ns},
                    {"durationNs", s.measure->t1_ns - s.measure->t0_ns},
                    {"counts", s.measure->counts}};
  } else {
    j["measure"] = nullptr;
  }
  j["hover"] = s.hover ? nlohmann::json(*s.hover) : nlohmann::json(nullptr);
  j["scrollY"] = s.scroll_y;
  j["contentHeight"] = s.content_height;
  j["visibleRows"] = s.visible_rows;
  j["timelineRecords"] = s.timeline_records;
  j["frameDigest"] = s.frame_digest;
  j["frameCurrent"] = s.frame_current;
  j["mode"] = s.mode;
  j["lanesFrom"] = s.lanes_from;
  j["lanesNote"] = s.lanes_note;
  if (s.mode == "native")
    j["remote"] = {{"framesAsked", s.remote.frames_asked}, {"framesReceived", s.remote.frames_received},
                   {"itemsAsked", s.remote.items_asked}, {"measuresAsked", s.remote.measures_asked},
                   {"marksAsked", s.remote.marks_asked}, {"markNote", s.remote.mark_note},
                   {"findingPending", s.remote.finding_pending},
                   {"lastAnswerMs", s.remote.last_answer_ms},
                   {"error", s.remote.error}};
  j["marksOnScreen"] = s.marks_on_screen;
  j["timelineAxis"] = {{"left", s.axis_left}, {"width", s.axis_width}};
  j["highlightedGroup"] = optional_int(s.highlighted_group);
  j["table"] = {{"shown", s.table.shown}, {"rows", s.table.rows}, {"filter", s.table.filter},
                {"sort", s.table.sort_column}, {"descending", s.table.descending},
                {"order", s.table.order}, {"headers", nlohmann::json::array()}};
  for (const SnapshotTable::Header& h : s.table.headers)
    j["table"]["headers"].push_back({{"column", h.column}, {"x", h.x}, {"y", h.y}});
  j["memoryBytes"] = s.memory_bytes;
  j["durationNs"] = s.duration_ns;
  j["originNs"] = s.origin_ns;
  j["theme"] = s.theme;
  j["clocks"] = nlohmann::json::array();
  for (const SourceClock& c : s.clocks)
    j["clocks"].push_back({{"source", c.id}, {"path", c.path}, {"format", c.format},
                           {"domain", c.domain}, {"how", c.how}, {"evidence", c.evidence},
                           {"offsetNs", double(c.offset_ns)},
                           {"displayShiftNs", double(c.display_shift_ns)},
                           {"ownAxis", c.own_axis}, {"byHand", c.by_hand}});
  j["view"] = {{"hash", s.view_hash}, {"notice", s.view_notice}};
  j["follow"] = {{"available", s.follow.available}, {"on", s.follow.on}, {"live", s.follow.live},
                 {"pinned", s.follow.pinned}, {"eventsPerSecond", s.follow.events_per_second},
                 {"updates", s.follow.updates}, {"modelLoads", s.follow.model_loads},
                 {"problem", s.follow.problem}};
  j["timelineLayout"] = {{"packed", s.layout.packed}, {"hideIdle", s.layout.hide_idle},
                         {"threadRows", s.layout.thread_rows},
                         {"threadRowsShown", s.layout.thread_rows_shown}, {"rows", s.layout.rows},
                         {"counterRows", s.layout.counter_rows}, {"counterFolds", s.layout.counter_folds},
                         {"rowsTop", s.layout.rows_top}, {"rowsHeight", s.layout.rows_height},
                         {"thinGroup", optional_int(s.layout.thin_group)},
                         {"thinRowHeight", s.layout.thin_row_height},
                         {"highlightedTop", s.layout.highlighted_top},
                         {"highlightedBottom", s.layout.highlighted_bottom},
                         {"highlightedThreadRows", s.layout.highlighted_thread_rows},
                         {"arrows", s.layout.arrows}};
  nlohmann::json ticks = nlohmann::json::array();
  for (const SnapshotTick& t : s.ruler.ticks) ticks.push_back({{"t", t.t_ns}, {"tRel", t.rel_ns}, {"x", t.x}, {"label", t.label}});
  j["ruler"] = {{"origin", s.ruler.origin}, {"prefix", s.ruler.prefix}, {"prefixNs", s.ruler.prefix_ns}, {"prefixRelNs", s.ruler.prefix_rel_ns},
                {"stepNs", s.ruler.step_ns}, {"ticks", ticks}};
  nlohmann::json labels = nlohmann::json::array();
  for (const SnapshotLabel& l : s.exception_labels)
    labels.push_back({{"thread", l.thread}, {"t", l.t_ns}, {"x", l.x}});
  j["exceptionLabels"] = labels;
  j["edgeIndicators"] = s.edge_indicators;
  nlohmann::json density = nlohmann::json::array();
  for (const SnapshotDensity& d : s.packet_density)
    density.push_back({{"connection", d.connection}, {"dir", d.dir}, {"columns", d.columns},
                       {"flaggedColumns", d.flagged_columns}});
  j["packetDensity"] = density;
  if (s.graphs) {
    const GraphsSummary& g = *s.graphs;
    j["graphs"] = {{"connection", g.connection}, {"dataDirection", g.data_direction},
                   {"segments", g.segments}, {"acks", g.acks}, {"rttSamples", g.rtt_samples},
                   {"retransmissions", g.retransmissions}, {"maxSeq", g.max_seq},
                   {"segmentBlocks", g.segment_blocks}, {"ackColumns", g.ack_columns},
                   {"throughputPoints", g.throughput_points}, {"rttColumns", g.rtt_columns},
                   {"retransmissionBlocks", g.retransmission_blocks},
                   {"peakThroughput", g.peak_throughput}};
  } else {
    j["graphs"] = nullptr;
  }
  return j.dump();
}

}  // namespace lurk::ui
