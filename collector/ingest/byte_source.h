// Where importers read bytes from: a file on disk (native CLI) or a buffer in
// memory (a file dropped on the browser page). Reads are sequential; the
// source tracks the byte offset so damage can be reported where it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace lurk {

class ContentHasher;
class IngestProgress;

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes; returns how many were read (0 at the end).
  virtual size_t read(void* out, size_t size) = 0;
  // Total size in bytes, when known in advance.
  virtual uint64_t size() const = 0;
  // Offset of the next byte read() returns.
  uint64_t offset() const { return offset_; }
  const std::string& name() const { return name_; }

  // Reads exactly `size` bytes or as many as remain; returns the count read.
  size_t read_fully(void* out, size_t size);

  // Consumes the next `size` bytes (fewer at the end) and returns them
  // without copying where the source can: the view stays valid until the
  // next read or view. For record-by-record readers of large inputs.
  virtual std::span<const uint8_t> view(size_t size);

  // Reads and drops what is left, e.g. so that a digest taken while reading
  // covers the whole input even when an importer stopped early.
  void skip_to_end();

 protected:
  explicit ByteSource(std::string name) : name_(std::move(name)) {}
  uint64_t offset_ = 0;

 private:
  std::string name_;
  std::vector<uint8_t> view_copy_;  // backs view() for sources that must copy
};

class FileByteSource final : public ByteSource {
 public:
  // Throws std::runtime_error with the OS reason when the file cannot be opened.
  explicit FileByteSource(const std::string& path);
  ~FileByteSource() override;
  size_t read(void* out, size_t size) override;
  std::span<const uint8_t> view(size_t size) override;
  uint64_t size() const override { return size_; }
  // Every byte read from the file from now on also goes to `hasher`, so the
  // file's digest costs no second pass over it. Call before the first read.
  void hash_while_reading(ContentHasher& hasher) { hasher_ = &hasher; }
  // Every read from the file from now on also tells `progress` how far it got.
  void report_reads_to(IngestProgress& progress) { progress_ = &progress; }
  // Up to `size` bytes from where the file is now, straight into `out`
  // (never through the buffer): for a format's sniff, which would otherwise
  // allocate, fault in and fill the 1 MB buffer for a few KB.
  size_t read_unbuffered(void* out, size_t size);

 private:
  // Moves the unread bytes to the front and fills the buffer behind them.
  void refill();
  // fread, plus the digest.
  size_t read_file(uint8_t* out, size_t size);

  std::FILE* file_ = nullptr;
  uint64_t size_ = 0;
  // Our own read buffer: stdio's is 4 KB on glibc whatever setvbuf asks for
  // when it allocates, which costs a system call per 4 KB of capture.
  std::vector<uint8_t> buffer_;
  size_t begin_ = 0, end_ = 0;  // unread bytes are buffer_[begin_, end_)
  bool at_eof_ = false;
  ContentHasher* hasher_ = nullptr;
  IngestProgress* progress_ = nullptr;
  uint64_t file_read_ = 0;  // bytes read from the file (ahead of offset() by the buffer)
};

class MemoryByteSource final : public ByteSource {
 public:
  MemoryByteSource(std::string name, const uint8_t* data, size_t size);
  size_t read(void* out, size_t size) override;
  std::span<const uint8_t> view(size_t size) override;
  uint64_t size() const override { return size_; }

 private:
  const uint8_t* data_;
  size_t size_;
};

// The first `max_bytes` of a file, for sniffing its format.
std::vector<uint8_t> read_file_head(const std::string& path, size_t max_bytes);

}  // namespace lurk
