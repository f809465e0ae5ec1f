#include "live/trace_stream.h"

#include "importers/ctf_stream.h"
#include "importers/lurk_jsonl_stream.h"

namespace lurk::live {
namespace {

class JsonlTraceStream final : public TraceStream {
 public:
  JsonlTraceStream(IngestContext& ctx, size_t max_line_bytes) : stream_(ctx, max_line_bytes) {}
  LurkJsonlStream& stream() { return stream_; }
  void feed(const char* data, size_t size) override { stream_.feed(data, size); }
  void flush() override { stream_.flush(); }
  void finish() override { stream_.finish(); }
  void finish_cut() override { stream_.finish_without_partial_line(); }
  uint64_t complete_bytes() const override { return stream_.complete_bytes(); }

 private:
  LurkJsonlStream stream_;
};

class CtfTraceStream final : public TraceStream {
 public:
  explicit CtfTraceStream(IngestContext& ctx) : stream_(ctx) {}
  CtfStream& stream() { return stream_; }
  void feed(const char* data, size_t size) override { stream_.feed(data, size); }
  void flush() override { stream_.flush(); }
  void finish() override { stream_.finish(); }
  void finish_cut() override { stream_.finish_without_partial_packet(); }
  uint64_t complete_bytes() const override { return stream_.complete_bytes(); }
  std::optional<std::string> checkpoint() const override { return stream_.checkpoint(); }
  void restore_from(const std::string& state, std::vector<ThreadRow> threads) override {
    stream_.restore(state, std::move(threads));
  }

 private:
  CtfStream stream_;
};

}  // namespace

std::unique_ptr<TraceStream> make_jsonl_stream(IngestContext& ctx, size_t max_line_bytes,
                                               uint64_t offset, int64_t line) {
  auto s = std::make_unique<JsonlTraceStream>(ctx, max_line_bytes);
  if (offset > 0) s->stream().start_at(offset, line);
  return s;
}

std::unique_ptr<TraceStream> make_ctf_stream(IngestContext& ctx, uint64_t offset) {
  auto s = std::make_unique<CtfTraceStream>(ctx);
  s->stream().start_at(offset);
  return s;
}

}  // namespace lurk::live
