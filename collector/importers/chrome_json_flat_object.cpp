#include "importers/chrome_json_flat_object.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace lurk {

using nlohmann::json;

void append_json_string(std::string& out, std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the bytes copied as they are
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
}

void FlatJsonObject::Member::append_json(std::string& out) const {
  switch (kind) {
    case Kind::Null: out += "null"; break;
    case Kind::Bool: out += boolean ? "true" : "false"; break;
    case Kind::String: append_json_string(out, text); break;
    default: out += text;
  }
}

FlatJsonObject::Member& FlatJsonObject::next_member() {
  if (count_ == members_.size()) members_.emplace_back();
  Member& m = members_[count_++];
  m.key = {};
  m.kind = Kind::Null;
  m.boolean = false;
  m.int_value = 0;
  m.uint_value = 0;
  m.number = 0;
  m.text = {};
  if (m.key_owned_) m.key_storage_.clear();
  if (m.text_owned_) m.text_storage_.clear();
  m.key_owned_ = m.text_owned_ = false;
  return m;
}

namespace {

// Keys are short: compared inline, byte by byte after the length, not
// through a memcmp call (string_view's ==) on every probe.
bool same_key(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

size_t key_slot(std::string_view key) {
  if (key.empty()) return 0;
  return key.size() * 7 + static_cast<unsigned char>(key[0]) * 31 +
         static_cast<unsigned char>(key.back());
}

}  // namespace

void FlatJsonObject::settle() {
  for (size_t i = 0; i < count_; ++i) {
    Member& m = members_[i];
    if (m.key_owned_) m.key = m.key_storage_;
    if (m.text_owned_) m.text = m.text_storage_;
  }
  indexed_ = count_ <= kIndexed;
  if (!indexed_) return;
  std::memset(slots_, 0, sizeof slots_);
  for (size_t i = 0; i < count_; ++i) {
    std::string_view key = members_[i].key;
    for (size_t h = key_slot(key);; ++h) {
      uint8_t& slot = slots_[h % kSlots];
      if (slot == 0 || same_key(members_[slot - 1].key, key)) {  // a repeated key: the last one wins
        slot = static_cast<uint8_t>(i + 1);
        break;
      }
    }
  }
}

// nlohmann's SAX interface: fills the top-level members, writes nested
// values out as compact text into the member that holds them.
class FlatJsonSax {
 public:
  explicit FlatJsonSax(FlatJsonObject& obj) : obj_(obj) {}

  bool null() {
    scalar(FlatJsonObject::Kind::Null, "null");
    return true;
  }
  bool boolean(bool v) {
    if (Member* m = scalar(FlatJsonObject::Kind::Bool, v ? "true" : "false")) m->boolean = v;
    return true;
  }
  bool number_integer(json::number_integer_t v) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    if (Member* m = scalar(FlatJsonObject::Kind::Int, std::string_view(buf, end - buf))) {
      m->int_value = v;
      m->number = static_cast<double>(v);
    }
    return true;
  }
  bool number_unsigned(json::number_unsigned_t v) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    if (Member* m = scalar(FlatJsonObject::Kind::Uint, std::string_view(buf, end - buf))) {
      m->uint_value = v;
      m->number = static_cast<double>(v);
    }
    return true;
  }
  bool number_float(json::number_float_t v, const json::string_t& lexeme) {
    if (Member* m = scalar(FlatJsonObject::Kind::Float, lexeme)) m->number = v;
    return true;
  }
  bool string(json::string_t& v) {
    if (capturing()) {
      comma_before_value();
      append_json_string(current_->text_storage_, v);
    } else if (in_top_object()) {
      current_->kind = FlatJsonObject::Kind::String;
      own_text().assign(v);
    }
    return true;
  }
  bool binary(json::binary_t&) { return true; }  // never produced by the JSON reader

  bool start_object(std::size_t) { return open('{', FlatJsonObject::Kind::Object); }
  bool start_array(std::size_t) { return open('[', FlatJsonObject::Kind::Array); }
  bool end_object() { return close('}'); }
  bool end_array() { return close(']'); }

  bool key(json::string_t& k) {
    if (capturing()) {
      uint8_t& level = obj_.levels_.back();
      if (!(level & kFirst)) current_->text_storage_.push_back(',');
      level &= ~kFirst;
      append_json_string(current_->text_storage_, k);
      current_->text_storage_.push_back(':');
    } else if (depth_ == 1 && obj_.top_kind_ == FlatJsonObject::Kind::Object) {
      current_ = &obj_.next_member();
      current_->key_storage_.assign(k);
      current_->key_owned_ = true;
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    obj_.error_ = e.what();
    return false;
  }

 private:
  using Member = FlatJsonObject::Member;
  // Bits of FlatJsonObject::levels_, one entry per open container.
  static constexpr uint8_t kFirst = 1, kArray = 2;

  bool in_top_object() const {
    return depth_ == 1 && obj_.top_kind_ == FlatJsonObject::Kind::Object && current_;
  }
  bool capturing() const { return depth_ >= 2 && current_; }
  // The current member's text, kept in its own storage (settle() points the
  // view at it once the parse is over).
  std::string& own_text() {
    current_->text_owned_ = true;
    return current_->text_storage_;
  }

  // A container's second and later values need a comma; an object's values
  // got theirs with the key.
  void comma_before_value() {
    uint8_t& level = obj_.levels_.back();
    if (!(level & kArray)) return;
    if (!(level & kFirst)) current_->text_storage_.push_back(',');
    level &= ~kFirst;
  }

  // A scalar value: written out when nested, kept when a top-level member.
  Member* scalar(FlatJsonObject::Kind kind, std::string_view text) {
    if (capturing()) {
      comma_before_value();
      current_->text_storage_.append(text);
      return nullptr;
    }
    if (!in_top_object()) return nullptr;
    current_->kind = kind;
    own_text().assign(text);
    return current_;
  }

  bool open(char bracket, FlatJsonObject::Kind kind) {
    if (depth_ == 0) {
      obj_.top_kind_ = kind;
    } else if (capturing()) {
      comma_before_value();
      current_->text_storage_.push_back(bracket);
    } else if (in_top_object()) {
      current_->kind = kind;
      own_text().push_back(bracket);
    }
    ++depth_;
    obj_.levels_.push_back(static_cast<uint8_t>(kFirst | (bracket == '[' ? kArray : 0)));
    return true;
  }

  bool close(char bracket) {
    if (capturing()) current_->text_storage_.push_back(bracket);
    --depth_;
    obj_.levels_.pop_back();
    return true;
  }

  FlatJsonObject& obj_;
  Member* current_ = nullptr;
  int depth_ = 0;
};

// The fast path: plain events (ASCII strings with simple escapes, numbers of
// at most 18 digits, an object at the top, nesting under 64) are read here
// in one pass over the text. Anything else, including every error, makes it
// give up and leave the event to nlohmann's SAX parser above, so this path
// can only ever accept what nlohmann accepts, with the same values.
class FlatJsonFastPath {
 public:
  FlatJsonFastPath(FlatJsonObject& obj, std::string_view text)
      : obj_(obj), p_(text.data()), end_(text.data() + text.size()) {}

  bool read() {
    space();
    if (!take('{')) return false;
    space();
    if (take('}')) return finish();
    for (;;) {
      space();
      if (p_ == end_ || *p_ != '"') return false;
      Member& m = obj_.next_member();
      if (!string_value(m.key, m.key_storage_, m.key_owned_)) return false;
      space();
      if (!take(':')) return false;
      space();
      if (!member_value(m)) return false;
      space();
      if (take(',')) continue;
      if (take('}')) return finish();
      return false;
    }
  }

 private:
  using Member = FlatJsonObject::Member;
  using Kind = FlatJsonObject::Kind;

  void space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r')) ++p_;
  }
  bool take(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool finish() {
    space();
    obj_.top_kind_ = Kind::Object;
    return p_ == end_;
  }
  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }

  // At the opening quote: a view of the string's bytes when they need no
  // decoding (no escapes: nearly every key and value of an event), else the
  // decoded text in `storage` (and `owned` set; settle() points the view).
  bool string_value(std::string_view& view, std::string& storage, bool& owned) {
    const char* start = ++p_;
    while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
           static_cast<unsigned char>(*p_) < 0x80)
      ++p_;
    if (p_ < end_ && *p_ == '"') {
      view = std::string_view(start, static_cast<size_t>(p_ - start));
      ++p_;
      return true;
    }
    p_ = start - 1;
    storage.clear();
    owned = true;
    return string(storage);
  }

  // At the opening quote; appends the decoded text.
  bool string(std::string& out) {
    ++p_;
    for (;;) {
      const char* run = p_;
      while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
             static_cast<unsigned char>(*p_) < 0x80)
        ++p_;
      out.append(run, p_ - run);
      if (p_ == end_) return false;
      char c = *p_++;
      if (c == '"') return true;
      if (c != '\\' || p_ == end_) return false;  // control or non-ASCII byte: slow path
      switch (*p_++) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        default: return false;  // \u and bad escapes: slow path
      }
    }
  }

  // A JSON number; its kind, value and text (a view of the parsed text) go
  // to `m` when given, else its text, as the SAX path writes it, to `*out`.
  bool number(Member* m, std::string* out) {
    const char* start = p_;
    bool negative = take('-');
    const char* digits = p_;
    // One pass: digits scanned and summed together. Up to 19 digits cannot
    // overflow 64 bits; a 20th is checked (Unix time in nanoseconds has 19:
    // every event of a live stack's trace).
    uint64_t value = 0;
    bool overflow = false;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
      uint64_t digit = static_cast<uint64_t>(*p_ - '0');
      if (p_ - digits >= 19)
        overflow |= __builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, digit, &value);
      else
        value = value * 10 + digit;
      ++p_;
    }
    size_t int_digits = p_ - digits;
    if (int_digits == 0 || int_digits > 20 || (*digits == '0' && int_digits > 1)) return false;
    bool is_float = false;
    if (take('.')) {
      is_float = true;
      const char* frac = p_;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ == frac) return false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) return false;  // exponents: slow path
    if (!is_float) {
      // What nlohmann makes of it: unsigned up to 2^64-1, signed down to
      // -2^63; beyond, a float (slow path).
      if (overflow || (negative && value > uint64_t(INT64_MAX) + 1)) return false;
      // The digits as written are how the SAX path writes the number (no
      // leading zeros get here), except "-0", written 0 (a signed integer still).
      std::string_view text = negative && value == 0 ? std::string_view("0")
                                                     : std::string_view(start, p_ - start);
      if (out) out->append(text);
      if (m) {
        m->text = text;
        m->kind = negative ? Kind::Int : Kind::Uint;
        if (negative) m->int_value = static_cast<int64_t>(0 - value);
        else m->uint_value = value;
        m->number = negative ? -static_cast<double>(value) : static_cast<double>(value);
      }
      return true;
    }
    if (int_digits > 18) return false;  // a float that long: slow path, as before
    // Up to 15 digits in all: the digits as an integer and a power of ten are
    // both exact doubles, so one division rounds correctly (the classic fast
    // path of decimal-to-binary conversion), the same value strtod gives.
    size_t all_digits = static_cast<size_t>(p_ - digits) - 1;  // without the '.'
    if (all_digits <= 15) {
      static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
      uint64_t mantissa = 0;
      for (const char* d = digits; d < p_; ++d)
        if (*d != '.') mantissa = mantissa * 10 + static_cast<uint64_t>(*d - '0');
      double magnitude = static_cast<double>(mantissa) / kPowersOfTen[all_digits - int_digits];
      if (out) out->append(start, p_ - start);
      if (m) {
        m->text = std::string_view(start, p_ - start);
        m->kind = Kind::Float;
        m->number = negative ? -magnitude : magnitude;
      }
      return true;
    }
    // Emscripten's libc++ has no floating-point from_chars. The slice is short
    // (the fast path takes no exponent and few digits), so strtod on a copy;
    // both glibc and musl round it correctly.
    char number[64];
    size_t length = static_cast<size_t>(p_ - start);
    if (length >= sizeof number) return false;
    std::memcpy(number, start, length);
    number[length] = '\0';
    char* parsed_end = nullptr;
    double parsed = std::strtod(number, &parsed_end);
    if (parsed_end != number + length) return false;
    if (out) out->append(start, p_ - start);
    if (m) {
      m->text = std::string_view(start, p_ - start);
      m->kind = Kind::Float;
      m->number = parsed;
    }
    return true;
  }

  bool member_value(Member& m) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"': m.kind = Kind::String; return string_value(m.text, m.text_storage_, m.text_owned_);
      case '{': m.kind = Kind::Object; m.text_owned_ = true; return nested(m.text_storage_, 0);
      case '[': m.kind = Kind::Array; m.text_owned_ = true; return nested(m.text_storage_, 0);
      case 't': m.kind = Kind::Bool; m.boolean = true; return literal("true") && (m.text = "true", true);
      case 'f': m.kind = Kind::Bool; return literal("false") && (m.text = "false", true);
      case 'n': m.kind = Kind::Null; return literal("null") && (m.text = "null", true);
      default: return number(&m, nullptr);
    }
  }

  // Any value, written to `out` as compact JSON.
  bool nested(std::string& out, int depth) {
    if (p_ == end_ || depth > 64) return false;
    switch (*p_) {
      case '"': {
        scratch_.clear();
        if (!string(scratch_)) return false;
        append_json_string(out, scratch_);
        return true;
      }
      case '{': case '[': {
        bool object = *p_++ == '{';
        out.push_back(object ? '{' : '[');
        space();
        if (take(object ? '}' : ']')) return out.push_back(object ? '}' : ']'), true;
        for (bool first = true;; first = false) {
          if (!first) out.push_back(',');
          space();
          if (object) {
            if (p_ == end_ || *p_ != '"' || !nested(out, depth + 1)) return false;
            space();
            if (!take(':')) return false;
            out.push_back(':');
            space();
          }
          if (!nested(out, depth + 1)) return false;
          space();
          if (take(',')) continue;
          if (!take(object ? '}' : ']')) return false;
          out.push_back(object ? '}' : ']');
          return true;
        }
      }
      case 't': return literal("true") && (out += "true", true);
      case 'f': return literal("false") && (out += "false", true);
      case 'n': return literal("null") && (out += "null", true);
      default: return number(nullptr, &out);
    }
  }

  FlatJsonObject& obj_;
  const char* p_;
  const char* end_;
  std::string scratch_;
};

bool FlatJsonObject::parse(std::string_view given) {
  // The members are views of this copy, so they live as long as the object
  // (until the next parse), whatever becomes of the caller's text. One
  // memcpy of a line: cheap next to the copies per member it replaces.
  source_.assign(given.data(), given.size());
  std::string_view json_text = source_;
  count_ = 0;
  top_kind_ = Kind::Null;
  error_.clear();
  indexed_ = false;
  if (FlatJsonFastPath(*this, json_text).read()) {
    settle();
    return true;
  }
  count_ = 0;
  top_kind_ = Kind::Null;
  levels_.clear();
  FlatJsonSax sax(*this);
  // Scalars at the top level set no kind through open(); find it by hand.
  bool ok = json::sax_parse(json_text, &sax);
  if (!ok) {
    count_ = 0;
    return false;
  }
  settle();
  if (top_kind_ == Kind::Null) {
    size_t i = json_text.find_first_not_of(" \t\r\n");
    char c = i == std::string_view::npos ? 'n' : json_text[i];
    top_kind_ = c == '"' ? Kind::String : c == 't' || c == 'f' ? Kind::Bool
              : c == 'n' ? Kind::Null : Kind::Float;
  }
  return true;
}

const char* FlatJsonObject::type_name() const {
  switch (top_kind_) {
    case Kind::Null: return "null";
    case Kind::Bool: return "boolean";
    case Kind::String: return "string";
    case Kind::Object: return "object";
    case Kind::Array: return "array";
    default: return "number";
  }
}

const FlatJsonObject::Member* FlatJsonObject::find(std::string_view key) const {
  if (indexed_) {
    for (size_t h = key_slot(key);; ++h) {
      uint8_t slot = slots_[h % kSlots];
      if (slot == 0) return nullptr;
      if (same_key(members_[slot - 1].key, key)) return &members_[slot - 1];
    }
  }
  for (size_t i = count_; i-- > 0;) {
    std::string_view k = members_[i].key;
    if (k.size() == key.size() && (key.empty() || k[0] == key[0]) &&
        std::memcmp(k.data(), key.data(), key.size()) == 0)
      return &members_[i];
  }
  return nullptr;
}

std::string_view FlatJsonObject::string(std::string_view key) const {
  const Member* m = find(key);
  return m && m->kind == Kind::String ? m->text : std::string_view();
}

}  // namespace lurk
