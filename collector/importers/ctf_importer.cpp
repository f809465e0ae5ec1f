#include "importers/ctf_importer.h"

#include <array>
#include <vector>

#include "importers/ctf_reader.h"
#include "ingest/byte_source.h"
#include "ingest/ingest_context.h"
#include "storage/trace_writer.h"
#include "trace/lwt_thread_model.h"
#include "trace/thread_tracker.h"

namespace lurk {
namespace {

// The ring has to be reordered before any event can be used, so the whole
// buffer is read first (mirage-profile rings are a few megabytes).
std::vector<uint8_t> read_all(ByteSource& in) {
  std::vector<uint8_t> data;
  data.reserve(static_cast<size_t>(in.size()));
  uint8_t chunk[1 << 16];
  while (size_t got = in.read(chunk, sizeof chunk)) data.insert(data.end(), chunk, chunk + got);
  return data;
}

int64_t ts(const ctf::Event& e) { return static_cast<int64_t>(e.ts_ns); }

void apply(LwtThreadModel& model, const ctf::Event& e) {
  using ctf::EventId;
  switch (e.id) {
    case EventId::Creates:
      return model.created(ts(e), e.thread, e.other, ctf::thread_type_name(e.thread_type));
    case EventId::Read:
    case EventId::ReadNoSwitch:
      return model.read(ts(e), e.thread, e.other, e.id == EventId::Read);
    case EventId::Fulfills:
      return model.resolved(ts(e), e.thread, e.other, std::nullopt);
    case EventId::Fails:
      return model.resolved(ts(e), e.thread, e.other, e.text);
    case EventId::Becomes:
      return model.became(ts(e), e.thread, e.other);
    case EventId::Label:
      return model.label(ts(e), e.thread, e.text);
    case EventId::Increase:
      return model.counter_increased(ts(e), e.thread, e.text, e.value);
    case EventId::Counter:
      return model.counter_set(ts(e), e.thread, e.text, e.value);
    case EventId::Switch:
      return model.switched(ts(e), e.thread);
    case EventId::Gc:
      return model.gc(ts(e), e.value);
    case EventId::Signal:
    case EventId::SignalNoSwitch:
      return model.signalled(ts(e), e.thread, e.other, e.id == EventId::Signal);
    case EventId::TryRead:
      return model.tried_read(ts(e), e.thread, e.other);
  }
}

}  // namespace

bool CtfImporter::sniff(std::span<const uint8_t> head) const {
  return head.size() >= 4 && head[0] == 0xC1 && head[1] == 0x1F && head[2] == 0xFC &&
         head[3] == 0xC1;
}

void CtfImporter::import(ByteSource& in, IngestContext& ctx) const {
  std::vector<uint8_t> data = read_all(in);
  ctf::DamageReport report = [&ctx](uint64_t offset, const std::string& kind,
                                    const std::string& message) {
    ctx.report_error(offset, std::nullopt, kind, message);
  };
  std::vector<ctf::Packet> packets = ctf::find_packets(data, report);
  ctf::order_ring(packets);

  ThreadTracker tracker(ctx.writer, ctx.source.id);
  LwtThreadModel model(tracker, ctx.writer, ctx.source.id);
  std::array<int64_t, ctf::kEventIdCount> per_type{};
  for (const ctf::Packet& packet : packets) {
    ctf::decode_packet(
        data, packet,
        [&](const ctf::Event& e) {
          ++per_type[static_cast<size_t>(e.id)];
          apply(model, e);
        },
        report);
  }
  int64_t never_resolved = static_cast<int64_t>(model.finish());
  tracker.finish(model.last_ts());

  int64_t events = 0;
  for (size_t id = 0; id < per_type.size(); ++id) {
    events += per_type[id];
    std::string name = "event." + std::string(ctf::event_name(static_cast<ctf::EventId>(id)));
    ctx.writer.insert_source_counter({ctx.source.id, name, per_type[id]});
  }
  ctx.writer.insert_source_counter(
      {ctx.source.id, "packets", static_cast<int64_t>(packets.size())});
  ctx.writer.insert_source_counter({ctx.source.id, "never_resolved", never_resolved});
  ctx.source.records = events;
  // mirage-profile stamps events with the unikernel's monotonic clock.
  ctx.source.clock_domain = "own";
}

}  // namespace lurk
