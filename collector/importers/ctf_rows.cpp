#include "importers/ctf_rows.h"

#include <string>

#include <nlohmann/json.hpp>

#include "ingest/ingest_context.h"
#include "storage/trace_writer.h"

namespace lurk {
namespace {

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

CtfRows::CtfRows(IngestContext& ctx)
    : ctx_(ctx), tracker_(ctx.writer, ctx.source.id), model_(tracker_, ctx.writer, ctx.source.id) {
  // mirage-profile stamps events with the unikernel's monotonic clock.
  ctx_.source.clock_domain = "own";
}

void CtfRows::packet(std::span<const uint8_t> data, const ctf::Packet& packet, uint64_t base) {
  ctf::DamageReport report = [this, base](uint64_t offset, const std::string& kind,
                                          const std::string& message) {
    ctx_.report_error(base + offset, std::nullopt, kind, message);
  };
  ctf::decode_packet(
      data, packet,
      [&](const ctf::Event& e) {
        ++per_type_[static_cast<size_t>(e.id)];
        ++events_;
        apply(model_, e);
      },
      report);
  ++packets_;
  ctx_.source.records = events_;
}

void CtfRows::finish() {
  int64_t never_resolved = static_cast<int64_t>(model_.finish());
  tracker_.finish(model_.last_ts());
  for (size_t id = 0; id < per_type_.size(); ++id) {
    std::string name = "event." + std::string(ctf::event_name(static_cast<ctf::EventId>(id)));
    ctx_.writer.insert_source_counter({ctx_.source.id, name, per_type_[id]});
  }
  ctx_.writer.insert_source_counter({ctx_.source.id, "packets", packets_});
  ctx_.writer.insert_source_counter({ctx_.source.id, "never_resolved", never_resolved});
  ctx_.source.records = events_;
}

nlohmann::json CtfRows::checkpoint() const {
  return {{"model", model_.checkpoint()},
          {"per_type", per_type_},
          {"events", events_},
          {"packets", packets_}};
}

void CtfRows::restore(const nlohmann::json& state, std::vector<ThreadRow> threads) {
  tracker_.adopt(std::move(threads));
  model_.restore(state.at("model"));
  per_type_ = state.at("per_type").get<std::array<int64_t, ctf::kEventIdCount>>();
  events_ = state.at("events").get<int64_t>();
  packets_ = state.at("packets").get<int64_t>();
  ctx_.source.records = events_;
}

}  // namespace lurk
