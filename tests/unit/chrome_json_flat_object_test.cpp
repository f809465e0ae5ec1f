// FlatJsonObject, the DOM-free reader of trace events, checked against
// nlohmann::json itself: the same verdict and message on bad JSON, the same
// values, and nested values written as nlohmann's dump writes them.
#include "importers/chrome_json_flat_object.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

namespace lurk {
namespace {

using nlohmann::json;
using Kind = FlatJsonObject::Kind;

TEST(FlatJsonObject, TopLevelMembersKeepTheirKindsAndValues) {
  FlatJsonObject ev;
  ASSERT_TRUE(ev.parse(R"( {"ph":"X","ts":1.5,"pid":-3,"tid":7,"ok":true,"none":null,
                           "args":{"n":3,"s":"a\"b","l":[1,{"x":[]}]},"list":[ "A" , "B" ]} )"));
  ASSERT_TRUE(ev.is_object());
  EXPECT_EQ(ev.size(), 8u);
  EXPECT_EQ(ev.string("ph"), "X");
  EXPECT_EQ(ev.find("ts")->kind, Kind::Float);
  EXPECT_DOUBLE_EQ(ev.find("ts")->number, 1.5);
  EXPECT_EQ(ev.find("pid")->kind, Kind::Int);
  EXPECT_EQ(ev.find("pid")->int_value, -3);
  EXPECT_EQ(ev.find("pid")->text, "-3");
  EXPECT_EQ(ev.find("tid")->kind, Kind::Uint);
  EXPECT_EQ(ev.find("tid")->uint_value, 7u);
  EXPECT_TRUE(ev.find("ok")->boolean);
  EXPECT_EQ(ev.find("none")->kind, Kind::Null);
  EXPECT_EQ(ev.find("missing"), nullptr);
  EXPECT_EQ(ev.string("tid"), "");  // not a string
  // Nested values: compact, in file order (these are already key-sorted).
  EXPECT_EQ(ev.find("list")->text, R"(["A","B"])");
  json doc = json::parse(ev.find("args")->text);
  EXPECT_EQ(doc, json::parse(R"({"n":3,"s":"a\"b","l":[1,{"x":[]}]})"));
}

TEST(FlatJsonObject, NestedTextIsWhatNlohmannDumpWrites) {
  // Key-sorted input, so std::map order and file order agree.
  const char* texts[] = {
      R"({"a":{"k":"tab\there","n":"new\nline","q":"\"","u":"\u0001\u001f é"}})",
      R"({"a":[true,false,null,-1,18446744073709551615,{"b":{}}]})",
      R"({"a":{"e":"\/\\ \b\f\r"}})",
  };
  for (const char* text : texts) {
    FlatJsonObject ev;
    ASSERT_TRUE(ev.parse(text)) << text;
    EXPECT_EQ(ev.find("a")->text, json::parse(text)["a"].dump()) << text;
  }
}

TEST(FlatJsonObject, RepeatedKeyLastValueWinsAsInNlohmann) {
  FlatJsonObject ev;
  ASSERT_TRUE(ev.parse(R"({"ts":1,"ts":2})"));
  EXPECT_EQ(ev.find("ts")->uint_value, json::parse(R"({"ts":1,"ts":2})")["ts"].get<uint64_t>());
}

TEST(FlatJsonObject, BadJsonGetsNlohmannsVerdictAndMessage) {
  const char* texts[] = {R"({"ph":"X",})", R"({"ph":"X"} trailing)", R"({"ts":1e999})",
                         "{\"s\":\"\xff\"}", R"({"a":[1,2})", ""};
  for (const char* text : texts) {
    FlatJsonObject ev;
    EXPECT_FALSE(ev.parse(text)) << text;
    std::string expected;
    try {
      json unused = json::parse(text);
      (void)unused;
    } catch (const json::parse_error& e) {
      expected = e.what();
    } catch (const json::out_of_range& e) {
      expected = e.what();
    }
    EXPECT_EQ(ev.error(), expected) << text;
    EXPECT_EQ(ev.size(), 0u);
  }
}

TEST(FlatJsonObject, ValidJsonThatIsNoObjectSaysWhatItIs) {
  FlatJsonObject ev;
  ASSERT_TRUE(ev.parse("[1,{\"a\":2}]"));
  EXPECT_FALSE(ev.is_object());
  EXPECT_STREQ(ev.type_name(), json::parse("[1]").type_name());
  ASSERT_TRUE(ev.parse(" 42"));
  EXPECT_STREQ(ev.type_name(), "number");
  ASSERT_TRUE(ev.parse("\"x\""));
  EXPECT_STREQ(ev.type_name(), "string");
  EXPECT_EQ(ev.size(), 0u);
}

TEST(FlatJsonObject, ReusedObjectForgetsThePreviousEvent) {
  FlatJsonObject ev;
  ASSERT_TRUE(ev.parse(R"({"a":{"x":1},"b":2,"c":3})"));
  ASSERT_TRUE(ev.parse(R"({"b":[4]})"));
  EXPECT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev.find("a"), nullptr);
  EXPECT_EQ(ev.find("b")->text, "[4]");
  EXPECT_EQ(ev.find("b")->kind, Kind::Array);
}

}  // namespace
}  // namespace lurk

namespace lurk {
namespace {

// Every member as nlohmann sees it: kind, value, nested value.
void expect_same_as_nlohmann(const FlatJsonObject& ev, const nlohmann::json& doc,
                             const std::string& text) {
  ASSERT_TRUE(doc.is_object()) << text;
  size_t distinct = 0;  // a repeated key is one member to nlohmann
  for (size_t i = 0; i < ev.size(); ++i) distinct += ev.find(ev[i].key) == &ev[i];
  ASSERT_EQ(distinct, doc.size()) << text;
  for (const auto& [key, value] : doc.items()) {
    const FlatJsonObject::Member* m = ev.find(key);
    ASSERT_NE(m, nullptr) << key << " in " << text;
    if (value.is_number_unsigned()) {
      EXPECT_EQ(m->kind, Kind::Uint) << text;
      EXPECT_EQ(m->uint_value, value.get<uint64_t>()) << text;
    } else if (value.is_number_integer()) {
      EXPECT_EQ(m->kind, Kind::Int) << text;
      EXPECT_EQ(m->int_value, value.get<int64_t>()) << text;
    } else if (value.is_number_float()) {
      EXPECT_EQ(m->kind, Kind::Float) << text;
      EXPECT_EQ(m->number, value.get<double>()) << text;
    } else if (value.is_string()) {
      EXPECT_EQ(m->text, value.get<std::string>()) << text;
    } else if (value.is_boolean()) {
      EXPECT_EQ(m->boolean, value.get<bool>()) << text;
    } else if (value.is_structured()) {
      EXPECT_EQ(nlohmann::json::parse(m->text), value) << text;
    } else {
      EXPECT_EQ(m->kind, Kind::Null) << text;
    }
  }
}

// Damaged copies of real events (bytes dropped, doubled, replaced): the
// verdict, message and values are nlohmann's, whichever path read them.
TEST(FlatJsonObject, DamagedEventsGetNlohmannsVerdictAndValues) {
  const std::string events[] = {
      R"({"ph":"X","pid":1,"tid":3,"ts":1234.567,"dur":5.000,"name":"work 7","cat":"net","args":{"n":17}})",
      R"({"t":"tcp","ts":1001,"laddr":"10.0.0.1","lport":40001,"dir":"tx","seq":-0,"flags":["ACK","PSH"],"window":500})",
      R"({"a":[1,-2,3.5e2,"x\ty\u00e9\"",{"b":null,"c":[true,false]}],"k\/":0.0,"big":123456789012345678901})",
  };
  const char kBytes[] = "{}[]\",:\\0-.e9 aé\x01";
  uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1103515245u + 12345u, seed >> 8; };
  FlatJsonObject ev;
  int valid = 0, invalid = 0;
  for (const std::string& event : events) {
    for (int round = 0; round < 3000; ++round) {
      std::string text = event;
      size_t at = round == 0 ? text.size() : next() % text.size();
      switch (round == 0 ? 3 : next() % 3) {
        case 0: text.erase(at, 1); break;
        case 1: text.insert(at, 1, text[at]); break;
        case 2: text[at] = kBytes[next() % (sizeof kBytes - 1)]; break;
        default: break;  // the event as it is
      }
      nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
      bool ok = false;
      try {
        ok = ev.parse(text);
      } catch (...) {
        ADD_FAILURE() << "threw on " << text;
        continue;
      }
      ASSERT_EQ(ok, !doc.is_discarded()) << text << "\n" << ev.error();
      if (!ok) {
        ++invalid;
        continue;
      }
      ++valid;
      if (doc.is_object()) expect_same_as_nlohmann(ev, doc, text);
      else EXPECT_STREQ(ev.type_name(), doc.type_name()) << text;
    }
  }
  EXPECT_GT(valid, 100);
  EXPECT_GT(invalid, 100);
}

}  // namespace
}  // namespace lurk

namespace lurk {
namespace {

// Timestamps are decimals with a fraction: the fast conversion must give the
// very double nlohmann (strtod) gives, for every digit count, including where
// it hands over to strtod (16 digits and more).
TEST(FlatJsonObject, DecimalNumbersAreTheDoublesStrtodGives) {
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 11;
  };
  FlatJsonObject ev;
  for (int i = 0; i < 20000; ++i) {
    int int_digits = 1 + int(next() % 12);
    int frac_digits = 1 + int(next() % 9);
    std::string number = next() % 4 == 0 ? "-" : "";
    number += std::to_string(1 + next() % 9);
    for (int d = 1; d < int_digits; ++d) number += char('0' + next() % 10);
    if (next() % 8 == 0) number = number[0] == '-' ? "-0" : "0";
    number += '.';
    for (int d = 0; d < frac_digits; ++d) number += char('0' + next() % 10);
    std::string text = R"({"ts":)" + number + "}";
    ASSERT_TRUE(ev.parse(text)) << text;
    const FlatJsonObject::Member* ts = ev.find("ts");
    ASSERT_NE(ts, nullptr);
    double expected = nlohmann::json::parse(text)["ts"].get<double>();
    ASSERT_EQ(ts->kind, Kind::Float) << text;
    ASSERT_EQ(std::signbit(ts->number), std::signbit(expected)) << text;
    ASSERT_EQ(ts->number, expected) << text;
    ASSERT_EQ(ts->text, number);
  }
}

}  // namespace
}  // namespace lurk
