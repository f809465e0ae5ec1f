// The timeline's colours, dark and light: one palette per theme, and the
// muted colour a span gets from its name (the same name looks the same
// everywhere). Colours are ImGui's packed ABGR.
#pragma once

#include <cstdint>

namespace lurk::ui {

constexpr uint32_t rgba(uint8_t r, uint8_t g, uint8_t b, uint8_t a = 255) {
  return uint32_t(a) << 24 | uint32_t(b) << 16 | uint32_t(g) << 8 | r;
}

struct Palette {
  uint32_t header, header_text, text, dim, row_alt, selected_group, lane_extent, lifetime,
      failed_tint, failed_text, running, block, span_text, highlight, selection, ruler, ruler_text,
      grid, gc, idle, flow, measure, counter, exception_text;
};

const Palette& palette(bool light);
// Spans get a muted color picked by their name, so the same name looks the same everywhere.
uint32_t span_color(uint32_t name, bool light);

}  // namespace lurk::ui
