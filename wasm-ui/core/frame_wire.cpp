// Encoding and decoding of /frame answers (frame_wire.h).
#include "core/frame_wire.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace lurk::ui {
namespace {

// Both ends are little-endian (x86-64, arm64, WebAssembly): fields are
// copied as their bytes.
static_assert(std::endian::native == std::endian::little, "the frame wire format is little-endian");

struct Writer {
  std::string out;
  template <typename T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out.append(buf, sizeof(T));
  }
  void text(const std::string& s) {
    put(uint32_t(s.size()));
    out += s;
  }
  void item(const ItemRef& r) {
    put(uint8_t(r.kind));
    put(r.lane);
    put(r.index);
    put(r.count);
  }
};

struct Truncated : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Reader {
  const std::string& in;
  size_t at = 0;
  [[noreturn]] void fail(const std::string& what) const {
    throw Truncated("at byte " + std::to_string(at) + ": " + what);
  }
  template <typename T>
  T get() {
    if (in.size() - at < sizeof(T)) fail("the answer ends early");
    T v;
    std::memcpy(&v, in.data() + at, sizeof(T));
    at += sizeof(T);
    return v;
  }
  // A count of records at least `min_bytes` each: never more than the bytes left allow.
  size_t count(size_t min_bytes) {
    uint32_t n = get<uint32_t>();
    if (uint64_t(n) * min_bytes > in.size() - at) fail(std::to_string(n) + " records announced, fewer bytes left");
    return n;
  }
  std::string text() {
    uint32_t n = get<uint32_t>();
    if (n > in.size() - at) fail("a text of " + std::to_string(n) + " bytes runs past the end");
    std::string s = in.substr(at, n);
    at += n;
    return s;
  }
  ItemRef item() {
    ItemRef r;
    uint8_t kind = get<uint8_t>();
    if (kind > uint8_t(ItemKind::Period)) fail("unknown item kind " + std::to_string(kind));
    r.kind = ItemKind(kind);
    r.lane = get<uint32_t>();
    r.index = get<uint32_t>();
    r.count = get<uint32_t>();
    return r;
  }
};

void write_layout(Writer& w, const FrameLayoutSummary& s) {
  w.put(s.total_height);
  for (int64_t v : {s.rows, s.thread_rows, s.thread_rows_shown, s.counter_rows, s.counter_folds, s.visible_rows})
    w.put(v);
}

void read_layout(Reader& r, FrameLayoutSummary& s) {
  s.total_height = r.get<float>();
  for (int64_t* v : {&s.rows, &s.thread_rows, &s.thread_rows_shown, &s.counter_rows, &s.counter_folds, &s.visible_rows})
    *v = r.get<int64_t>();
}

void write_records(Writer& w, const TimelineFrame& f) {
  w.put(uint32_t(f.rects.size()));
  for (const DrawRect& r : f.rects) {
    for (float v : {r.x0, r.y0, r.x1, r.y1}) w.put(v);
    w.put(r.color);
    w.put(r.outline);
    w.item(r.ref);
  }
  w.put(uint32_t(f.texts.size()));
  for (const DrawText& t : f.texts) {
    for (float v : {t.x, t.y, t.clip_x1}) w.put(v);
    w.put(t.color);
    w.text(t.text);
  }
  w.put(uint32_t(f.lines.size()));
  for (const DrawLine& l : f.lines) {
    for (float v : {l.x0, l.y0, l.x1, l.y1, l.thickness}) w.put(v);
    w.put(l.color);
    w.put(uint8_t(l.arrow));
  }
}

void read_records(Reader& r, TimelineFrame& f) {
  f.rects.resize(r.count(4 * 4 + 8 + 13));
  for (DrawRect& d : f.rects) {
    for (float* v : {&d.x0, &d.y0, &d.x1, &d.y1}) *v = r.get<float>();
    d.color = r.get<uint32_t>();
    d.outline = r.get<uint32_t>();
    d.ref = r.item();
  }
  f.texts.resize(r.count(3 * 4 + 8));
  for (DrawText& t : f.texts) {
    for (float* v : {&t.x, &t.y, &t.clip_x1}) *v = r.get<float>();
    t.color = r.get<uint32_t>();
    t.text = r.text();
  }
  f.lines.resize(r.count(5 * 4 + 5));
  for (DrawLine& l : f.lines) {
    for (float* v : {&l.x0, &l.y0, &l.x1, &l.y1, &l.thickness}) *v = r.get<float>();
    l.color = r.get<uint32_t>();
    l.arrow = r.get<uint8_t>() != 0;
  }
}

void write_extras(Writer& w, const TimelineFrame& f) {
  for (uint64_t v : {uint64_t(f.ruler_rects), uint64_t(f.ruler_texts), uint64_t(f.ruler_lines)}) w.put(v);
  w.put(f.search_marked);
  w.put(f.search_marked_blocks);
  w.put(uint32_t(f.exception_labels.size()));
  for (const ExceptionLabel& l : f.exception_labels) {
    w.put(l.thread);
    w.put(l.t_ns);
    w.put(l.x);
  }
  w.put(f.edge_indicators);
  w.put(uint32_t(f.densities.size()));
  for (const LaneDensity& d : f.densities) {
    w.put(d.connection);
    w.put(int32_t(d.dir));
    w.put(d.columns);
    w.put(d.flagged_columns);
  }
  w.put(uint32_t(f.ticks.size()));
  for (const RulerTick& t : f.ticks) {
    w.put(t.t_ns);
    w.put(t.x);
    w.text(t.label);
  }
  w.text(f.ruler_origin);
  w.text(f.ruler_prefix);
  w.put(f.ruler_prefix_ns);
  w.put(f.ruler_step_ns);
}

void read_extras(Reader& r, TimelineFrame& f) {
  size_t* splits[] = {&f.ruler_rects, &f.ruler_texts, &f.ruler_lines};
  size_t sizes[] = {f.rects.size(), f.texts.size(), f.lines.size()};
  for (int i = 0; i < 3; ++i) {
    uint64_t v = r.get<uint64_t>();
    if (v > sizes[i]) r.fail("the ruler's records start past the records");
    *splits[i] = size_t(v);
  }
  f.search_marked = r.get<int64_t>();
  f.search_marked_blocks = r.get<int64_t>();
  f.exception_labels.resize(r.count(20));
  for (ExceptionLabel& l : f.exception_labels) {
    l.thread = r.get<int64_t>();
    l.t_ns = r.get<double>();
    l.x = r.get<float>();
  }
  f.edge_indicators = r.get<int64_t>();
  // Not on the wire: every arrow line is a flow arrow (timeline_frame.cpp).
  f.arrows = int64_t(std::count_if(f.lines.begin(), f.lines.end(), [](const DrawLine& l) { return l.arrow; }));
  f.densities.resize(r.count(28));
  for (LaneDensity& d : f.densities) {
    d.connection = r.get<int64_t>();
    d.dir = r.get<int32_t>();
    d.columns = r.get<int64_t>();
    d.flagged_columns = r.get<int64_t>();
  }
  f.ticks.resize(r.count(16));
  for (RulerTick& t : f.ticks) {
    t.t_ns = r.get<double>();
    t.x = r.get<float>();
    t.label = r.text();
  }
  f.ruler_origin = r.text();
  f.ruler_prefix = r.text();
  f.ruler_prefix_ns = r.get<double>();
  f.ruler_step_ns = r.get<double>();
}

}  // namespace

std::string encode_frame_answer(const FrameAnswer& answer) {
  Writer w;
  w.out.reserve(64 + answer.frame.rects.size() * 37 + answer.frame.texts.size() * 40);
  w.out += "LRKF";
  w.put(kFrameWireVersion);
  write_layout(w, answer.layout);
  w.put(answer.search_matches);
  w.put(answer.search_args_searched);
  w.put(answer.selected_row_y);
  w.put(answer.selected_row_height);
  write_records(w, answer.frame);
  write_extras(w, answer.frame);
  return std::move(w.out);
}

std::optional<FrameAnswer> decode_frame_answer(const std::string& bytes, std::string& problem) {
  Reader r{bytes};
  try {
    if (bytes.compare(0, 4, "LRKF") != 0) r.fail("not a lurk frame (no \"LRKF\" at the start)");
    r.at = 4;
    uint32_t version = r.get<uint32_t>();
    if (version != kFrameWireVersion)
      r.fail("frame format version " + std::to_string(version) + ", this UI reads " +
             std::to_string(kFrameWireVersion));
    FrameAnswer a;
    read_layout(r, a.layout);
    a.search_matches = r.get<int64_t>();
    a.search_args_searched = r.get<double>();
    a.selected_row_y = r.get<float>();
    a.selected_row_height = r.get<float>();
    read_records(r, a.frame);
    read_extras(r, a.frame);
    if (r.at != bytes.size()) r.fail(std::to_string(bytes.size() - r.at) + " bytes after the frame");
    return a;
  } catch (const Truncated& e) {
    problem = e.what();
    return std::nullopt;
  }
}

}  // namespace lurk::ui
