// The "Ingest problems" band (docs/ui.md): what went wrong reading the shown
// profile's sources. A header button says how many problems there are; the
// band under the header lists the ingest's warnings (the lines `lurk ingest`
// prints for a partial input or one with nothing to show) and the profile's
// ingest_errors rows: file, byte offset, line, kind, message. It opens by
// itself when a dropped file was read only in part or yielded nothing.
#pragma once

#include "core/ingest_problems.h"
#include "core/snapshot.h"

namespace lurk::ui {

class IngestPanel {
 public:
  // A new profile: its problems, shown at once when `open` (a drop that said something).
  void reset(IngestProblems problems, bool open);
  // The header button (only when there are problems); toggles the band.
  void draw_button();
  // The band, when open; `height` is the most it may take.
  void draw_band(float height);

  const IngestProblems& problems() const { return problems_; }
  bool shown() const { return shown_ && problems_.any(); }
  void fill_snapshot(SnapshotIngestProblems& out) const;

 private:
  void draw_rows(float height);

  IngestProblems problems_;
  bool shown_ = false;
};

}  // namespace lurk::ui
