// The schema audit (storage/schema_audit.h): a profile lurk made passes; one
// with a trigger, a view, an extra table, index or column, or a generated
// column is refused naming the object, by ensure_schema too,
// before any write; an older version may lack what its migrations add.
#include <gtest/gtest.h>

#include <string>

#include "storage/schema.h"
#include "storage/schema_audit.h"
#include "storage/sqlite_handle.h"

namespace lurk::test {
namespace {

class SchemaAudit : public ::testing::Test {
 protected:
  SchemaAudit() { ensure_schema(db); }
  Database db{":memory:", Database::Mode::ReadWriteCreate};
};

TEST_F(SchemaAudit, AFreshProfilePasses) { EXPECT_EQ(foreign_schema_object(db), ""); }

TEST_F(SchemaAudit, ATriggerIsNamed) {
  db.exec("CREATE TRIGGER eat AFTER INSERT ON sources BEGIN DELETE FROM packets; END");
  EXPECT_EQ(foreign_schema_object(db), "trigger 'eat' was not made by lurk");
  EXPECT_THROW(ensure_schema(db), StorageError);
}

TEST_F(SchemaAudit, AViewInPlaceOfATableIsNamed) {
  db.exec("DROP TABLE findings; CREATE VIEW findings AS SELECT 1 AS id");
  EXPECT_EQ(foreign_schema_object(db), "view 'findings' was not made by lurk");
}

TEST_F(SchemaAudit, AnExtraColumnIsNamed) {
  db.exec("ALTER TABLE packets ADD COLUMN note TEXT");
  EXPECT_EQ(foreign_schema_object(db), "column packets.note is not part of the lurk schema");
}

TEST_F(SchemaAudit, AGeneratedColumnIsRefused) {
  db.exec("ALTER TABLE strings ADD COLUMN shout TEXT GENERATED ALWAYS AS (upper(text))");
  EXPECT_EQ(foreign_schema_object(db), "column strings.shout is not part of the lurk schema");
}

TEST_F(SchemaAudit, AnExtraTableOrIndexIsNamed) {
  db.exec("CREATE TABLE notes (x)");
  EXPECT_EQ(foreign_schema_object(db), "table 'notes' was not made by lurk");
  db.exec("DROP TABLE notes; CREATE INDEX by_len ON packets(ts_ns)");
  EXPECT_EQ(foreign_schema_object(db), "index 'by_len' was not made by lurk");
}

TEST_F(SchemaAudit, AnIndexOfLurksNameRedefinedIsRefused) {
  db.exec("DROP INDEX packets_by_lane; CREATE INDEX packets_by_lane ON packets(ts_ns)");
  EXPECT_EQ(foreign_schema_object(db),
            "index 'packets_by_lane' is defined differently from the lurk schema");
}

TEST_F(SchemaAudit, TheCurrentVersionMustBeComplete) {
  db.exec("ALTER TABLE packets DROP COLUMN ts_rtt_ns");
  EXPECT_EQ(foreign_schema_object(db), "column packets.ts_rtt_ns is missing");
}

TEST_F(SchemaAudit, AnOlderVersionMayLackWhatItsMigrationsAdd) {
  db.exec("ALTER TABLE packets DROP COLUMN ts_rtt_ns; PRAGMA user_version = 1");
  EXPECT_EQ(foreign_schema_object(db), "");
  ensure_schema(db);  // the migration adds it back
  EXPECT_EQ(foreign_schema_object(db), "");
  EXPECT_EQ(db.query_int("PRAGMA user_version"), kSchemaVersion);
}

TEST_F(SchemaAudit, AnOlderVersionMayNotHoldAGeneratedColumn) {
  db.exec("PRAGMA user_version = 1; "
          "ALTER TABLE strings ADD COLUMN shout TEXT GENERATED ALWAYS AS (upper(text))");
  EXPECT_EQ(foreign_schema_object(db), "column strings.shout is not part of the lurk schema");
}

TEST_F(SchemaAudit, AColumnOfLurksNameMadeGeneratedIsRefused) {
  db.exec("ALTER TABLE packets DROP COLUMN ts_rtt_ns; "
          "ALTER TABLE packets ADD COLUMN ts_rtt_ns INTEGER GENERATED ALWAYS AS (ts_ns + 1)");
  EXPECT_EQ(foreign_schema_object(db),
            "column packets.ts_rtt_ns is a generated column lurk did not make");
}

}  // namespace
}  // namespace lurk::test
