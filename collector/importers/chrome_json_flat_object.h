// One JSON object's top-level members, read without building a document:
// the trace importers (Chrome trace events, lurk JSONL lines) only ever look
// at the top level of an event, and a full nlohmann::json tree per event (a
// std::map and a std::string per member, args parsed and dumped again) was
// most of their ingest time. The text is still fully checked by nlohmann's
// SAX parser, so invalid JSON is rejected with its message exactly as before.
// Scalars are kept decoded; nested objects and arrays are kept as compact
// JSON text (whitespace dropped, keys in file order, strings escaped as
// nlohmann::json::dump does), ready for an args_json column. All buffers are
// reused from one parse to the next, so steady-state parsing allocates
// nothing.
//
// Keys and texts are views: of the object's copy of the parsed text where it
// already says the value (keys and strings without escapes, numbers: most of
// an event), else of the member's own storage. So a parse copies the line
// once and its members hardly at all (the copies per member were a fifth of
// reading a live sender's line); members stay valid until the next parse.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lurk {

class FlatJsonObject {
 public:
  enum class Kind : uint8_t { Null, Bool, Int, Uint, Float, String, Object, Array };

  struct Member {
    std::string_view key;
    Kind kind = Kind::Null;
    bool boolean = false;
    int64_t int_value = 0;    // Int
    uint64_t uint_value = 0;  // Uint
    double number = 0;        // any number kind, converted
    // String: the decoded value. Object/Array: compact JSON. Numbers: their
    // JSON text. Null/Bool: the literal.
    std::string_view text;

    bool is_number() const { return kind == Kind::Int || kind == Kind::Uint || kind == Kind::Float; }
    bool is_integer() const { return kind == Kind::Int || kind == Kind::Uint; }
    // The member's value as JSON text (strings quoted and escaped).
    void append_json(std::string& out) const;

    Member() = default;
    Member(Member&&) = default;
    Member& operator=(Member&&) = default;
    // A copy's views would still point into the original's storage.
    Member(const Member&) = delete;
    Member& operator=(const Member&) = delete;

   private:
    friend class FlatJsonObject;
    friend class FlatJsonSax;
    friend class FlatJsonFastPath;
    // What the views show when the parsed text does not say it as is
    // (escaped strings, nested values, anything the SAX path read).
    std::string key_storage_, text_storage_;
    bool key_owned_ = false, text_owned_ = false;
  };

  // Reads `json_text`. False when it is not valid JSON (error() says why, in
  // nlohmann's words); true otherwise, even when the value is not an object
  // (then is_object() is false and type_name() says what it is).
  bool parse(std::string_view json_text);

  bool is_object() const { return top_kind_ == Kind::Object; }
  const char* type_name() const;
  const std::string& error() const { return error_; }

  size_t size() const { return count_; }
  const Member& operator[](size_t i) const { return members_[i]; }
  // The last member named `key` (as nlohmann::json, a repeated key's last
  // value wins), or nullptr.
  const Member* find(std::string_view key) const;
  // The decoded string member `key`, or "" when it is missing or no string.
  std::string_view string(std::string_view key) const;
  // Whether member `key` is the JSON literal true (a flag: missing, false or
  // any other kind is not set).
  bool is_true(std::string_view key) const {
    const Member* v = find(key);
    return v && v->kind == Kind::Bool && v->boolean;
  }

 private:
  friend class FlatJsonSax;
  friend class FlatJsonFastPath;
  Member& next_member();
  // After a parse: views of owned storage set (the vector may have moved it
  // while it grew), and the key index built.
  void settle();

  std::string source_;           // the text parsed last: what the views show
  std::vector<Member> members_;  // [0, count_) are this parse's; the rest are spares
  size_t count_ = 0;
  // find()'s index: open addressing over a small table, each slot 0 (empty)
  // or a member's index + 1. Events have a dozen members; an object with
  // more than kIndexed of them is searched linearly instead.
  static constexpr size_t kSlots = 64, kIndexed = 40;
  uint8_t slots_[kSlots] = {};
  bool indexed_ = false;
  Kind top_kind_ = Kind::Null;
  std::string error_;
  std::vector<uint8_t> levels_;  // the parser's stack of open containers
};

// Appends `text` as a JSON string literal, escaped as nlohmann::json::dump
// does with ensure_ascii off (quote, backslash and control characters).
void append_json_string(std::string& out, std::string_view text);

}  // namespace lurk
