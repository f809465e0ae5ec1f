// BindOnChange binds a parameter only when its value changes: the rows it
// writes must be exactly the values given, whatever the previous row held
// in the same parameter (NULL after an integer, text after NULL, a double
// after an integer, -0.0 after 0.0, a long text after the same long text).
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "storage/bind_on_change.h"
#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

using Value = std::variant<std::nullopt_t, int64_t, double, std::string>;

void bind_value(BindOnChange& s, int index, const Value& v) {
  std::visit([&](const auto& x) { s.bind(index, x); }, v);
}

TEST(BindOnChange, EveryRowHoldsExactlyTheValuesBound) {
  Database db(":memory:", Database::Mode::ReadWriteCreate);
  db.exec("CREATE TABLE t(seq INTEGER PRIMARY KEY, v)");
  const std::string long_text(200, 'x');
  const std::vector<Value> values = {
      int64_t{7},     int64_t{7},  std::nullopt, std::nullopt, int64_t{0},
      std::nullopt,   0.0,         0.0,          -0.0,         int64_t{0},
      1.5,            1.5,         std::string("span"), std::string("span"),
      std::string(""), std::nullopt, std::string(""), long_text, long_text,
      long_text + "y", int64_t{-1}, std::string("-1"), int64_t{-1}, 2.5};
  BindOnChange insert(db.prepare("INSERT INTO t(seq, v) VALUES (?, ?)"));
  for (size_t i = 0; i < values.size(); ++i) {
    insert.bind(1, static_cast<int64_t>(i));
    bind_value(insert, 2, values[i]);
    insert.run();
  }
  Statement rows = db.prepare("SELECT typeof(v), v, quote(v) FROM t ORDER BY seq");
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_TRUE(rows.step()) << i;
    std::string type = rows.column_text(0);
    const Value& want = values[i];
    if (std::holds_alternative<std::nullopt_t>(want)) {
      EXPECT_EQ(type, "null") << i;
    } else if (auto* n = std::get_if<int64_t>(&want)) {
      EXPECT_EQ(type, "integer") << i;
      EXPECT_EQ(rows.column_int(1), *n) << i;
    } else if (auto* d = std::get_if<double>(&want)) {
      EXPECT_EQ(type, "real") << i;
      EXPECT_EQ(rows.column_double(1), *d) << i;
      EXPECT_EQ(std::signbit(rows.column_double(1)), std::signbit(*d)) << i;
    } else {
      EXPECT_EQ(type, "text") << i;
      EXPECT_EQ(rows.column_text(1), std::get<std::string>(want)) << i;
    }
  }
  EXPECT_FALSE(rows.step());
}

TEST(BindOnChange, OptionalsBindTheirValueOrNull) {
  Database db(":memory:", Database::Mode::ReadWriteCreate);
  db.exec("CREATE TABLE t(seq INTEGER PRIMARY KEY, n, s)");
  BindOnChange insert(db.prepare("INSERT INTO t(seq, n, s) VALUES (?, ?, ?)"));
  const std::vector<std::optional<int64_t>> ns = {std::nullopt, 3, 3, std::nullopt, 4};
  const std::vector<std::optional<std::string>> ss = {"a", std::nullopt, "a", "a", std::nullopt};
  for (size_t i = 0; i < ns.size(); ++i) {
    insert.bind(1, static_cast<int64_t>(i)).bind(2, ns[i]).bind(3, ss[i]);
    insert.run();
  }
  EXPECT_EQ(db.query_int("SELECT count(*) FROM t WHERE seq = 0 AND n IS NULL AND s = 'a'"), 1);
  EXPECT_EQ(db.query_int("SELECT count(*) FROM t WHERE seq = 1 AND n = 3 AND s IS NULL"), 1);
  EXPECT_EQ(db.query_int("SELECT count(*) FROM t WHERE seq = 2 AND n = 3 AND s = 'a'"), 1);
  EXPECT_EQ(db.query_int("SELECT count(*) FROM t WHERE seq = 3 AND n IS NULL AND s = 'a'"), 1);
  EXPECT_EQ(db.query_int("SELECT count(*) FROM t WHERE seq = 4 AND n = 4 AND s IS NULL"), 1);
}

}  // namespace
}  // namespace lurk
