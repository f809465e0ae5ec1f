// Draw records as text and their digest (frame_records_text.h).
#include "core/frame_records_text.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace lurk::ui {
namespace {

// 1/100 px; -0 written as 0.
std::string px(float v) {
  char buf[32];
  double r = std::round(double(v) * 100) / 100;
  std::snprintf(buf, sizeof buf, "%.2f", r == 0 ? 0.0 : r);
  return buf;
}

std::string hex(uint64_t v, int digits) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

std::string item(const ItemRef& r) {
  if (!r) return "-";
  return std::to_string(int(r.kind)) + "." + std::to_string(r.lane) + "." + std::to_string(r.index) + "." +
         std::to_string(r.count);
}

}  // namespace

std::string frame_records_text(const TimelineFrame& f) {
  std::string out;
  for (size_t i = 0; i < f.rects.size(); ++i) {
    const DrawRect& r = f.rects[i];
    out += std::string(i < f.ruler_rects ? "rect " : "ruler-rect ") + px(r.x0) + " " + px(r.y0) + " " +
           px(r.x1) + " " + px(r.y1) + " " + hex(r.color, 8) + " " + hex(r.outline, 8) + " " + item(r.ref) + "\n";
  }
  for (size_t i = 0; i < f.lines.size(); ++i) {
    const DrawLine& l = f.lines[i];
    out += std::string(i < f.ruler_lines ? "line " : "ruler-line ") + px(l.x0) + " " + px(l.y0) + " " +
           px(l.x1) + " " + px(l.y1) + " " + hex(l.color, 8) + " " + px(l.thickness) + " " +
           (l.arrow ? "arrow " + px(l.head) : std::string("-")) + "\n";
  }
  for (size_t i = 0; i < f.texts.size(); ++i) {
    const DrawText& t = f.texts[i];
    out += std::string(i < f.ruler_texts ? "text " : "ruler-text ") + px(t.x) + " " + px(t.y) + " " +
           (t.clip_x1 >= 1e8f ? std::string("-") : px(t.clip_x1)) + " " + hex(t.color, 8) + " " + t.text + "\n";
  }
  for (const ExceptionLabel& l : f.exception_labels)
    out += "exception " + std::to_string(l.thread) + " " + px(l.x) + "\n";
  for (const LaneDensity& d : f.densities)
    out += "density " + std::to_string(d.connection) + " " + std::to_string(d.dir) + " " +
           std::to_string(d.columns) + " " + std::to_string(d.flagged_columns) + "\n";
  for (const RulerTick& t : f.ticks) out += "tick " + px(t.x) + " " + t.label + "\n";
  out += "ruler " + f.ruler_origin + " | " + f.ruler_prefix + "\n";
  out += "counts " + std::to_string(f.arrows) + " " + std::to_string(f.edge_indicators) + " " +
         std::to_string(f.search_marked) + " " + std::to_string(f.search_marked_blocks) + "\n";
  return out;
}

std::string frame_records_digest(const TimelineFrame& frame) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : frame_records_text(frame)) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return hex(h, 16);
}

}  // namespace lurk::ui
