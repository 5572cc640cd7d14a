// The pure parts of storage export/import: base64, the timestamp text form, the row encoder.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "base64.h"
#include "errors.h"
#include "export_rows.h"
#include "pg_copy_binary.h"
#include "timestamp_text.h"
#include "transfer_tables.h"

namespace llmspell::cli {
namespace {

std::string encode(std::string_view s) {
  std::string out;
  base64::encode(out, s);
  return out;
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(encode("f"), "Zg==");
  EXPECT_EQ(encode("fo"), "Zm8=");
  EXPECT_EQ(encode("foo"), "Zm9v");
  EXPECT_EQ(encode("foob"), "Zm9vYg==");
  EXPECT_EQ(encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64::encoded_size(6), 8u);
}

TEST(Base64, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    std::string text = encode(all.substr(0, n)), back;
    EXPECT_EQ(base64::decode(text, back), std::nullopt);
    EXPECT_EQ(back, all.substr(0, n));
  }
}

TEST(Base64, RejectsWithTheOffset) {
  std::string out;
  EXPECT_EQ(base64::decode("Zm9", out), 0u);        // length not a multiple of 4
  EXPECT_EQ(base64::decode("Zm*v", out), 2u);       // outside the alphabet
  EXPECT_EQ(base64::decode("Zm9v Zm9v", out), 8u);  // whitespace: wrong length first
  EXPECT_EQ(base64::decode("Zm9vZ m9v", out).has_value(), true);
  EXPECT_EQ(base64::decode("Zm=v", out), 2u);  // '=' inside
  EXPECT_EQ(base64::decode("Zh==", out), 1u);  // non-zero bits under the padding
  EXPECT_EQ(base64::decode("Zm9=", out), 2u);
  EXPECT_EQ(base64::decode("Zg==", out), std::nullopt);
  EXPECT_EQ(out, "f");
}

TEST(TimestampText, FormatsUtcWithMicroseconds) {
  std::string s;
  ASSERT_TRUE(timestamp_text::append(s, 0));
  EXPECT_EQ(s, "1970-01-01T00:00:00.000000Z");
  s.clear();
  ASSERT_TRUE(timestamp_text::append(s, 1735689600123456));
  EXPECT_EQ(s, "2025-01-01T00:00:00.123456Z");
  s.clear();
  ASSERT_TRUE(timestamp_text::append(s, -1));  // before the epoch
  EXPECT_EQ(s, "1969-12-31T23:59:59.999999Z");
  s.clear();
  ASSERT_TRUE(timestamp_text::append(s, 951782400000000));  // a leap day
  EXPECT_EQ(s, "2000-02-29T00:00:00.000000Z");
  s.clear();
  ASSERT_TRUE(timestamp_text::append(s, timestamp_text::kInfinity));
  EXPECT_EQ(s, "infinity");
  s.clear();
  ASSERT_TRUE(timestamp_text::append(s, timestamp_text::kMinusInfinity));
  EXPECT_EQ(s, "-infinity");
  s.clear();
  EXPECT_FALSE(timestamp_text::append(s, timestamp_text::kMaxMicros + 1));
  EXPECT_FALSE(timestamp_text::append(s, timestamp_text::kMinMicros - 1));
  EXPECT_EQ(s, "");
}

TEST(TimestampText, ParsesExactlyWhatItWrites) {
  for (std::int64_t us : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1735689600123456},
                          timestamp_text::kMinMicros, timestamp_text::kMaxMicros,
                          timestamp_text::kInfinity, timestamp_text::kMinusInfinity}) {
    std::string s;
    ASSERT_TRUE(timestamp_text::append(s, us));
    EXPECT_EQ(timestamp_text::parse(s), us) << s;
  }
  for (const char* bad :
       {"", "2025-01-01", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00.000000+00:00",
        "2025-02-29T00:00:00.000000Z", "2025-13-01T00:00:00.000000Z", "2025-01-01T24:00:00.000000Z",
        "0000-01-01T00:00:00.000000Z", "2025-01-01 00:00:00.000000Z", "Infinity", "+infinity"})
    EXPECT_EQ(timestamp_text::parse(bad), std::nullopt) << bad;
}

TEST(TimestampText, PostgresEpoch) {
  EXPECT_EQ(timestamp_text::from_postgres(0), 946684800000000);
  EXPECT_EQ(timestamp_text::to_postgres(946684800000000), 0);
  EXPECT_EQ(timestamp_text::from_postgres(INT64_MAX), timestamp_text::kInfinity);
  EXPECT_EQ(timestamp_text::to_postgres(timestamp_text::kMinusInfinity), INT64_MIN);
  EXPECT_EQ(timestamp_text::from_postgres(INT64_MAX - 1), std::nullopt);  // no overflow
}

TEST(PgCopy, VectorWireFormat) {
  float values[] = {1.0f, -0.5f, 3.25e-8f};
  std::string le(reinterpret_cast<const char*>(values), sizeof values), wire, back;
  pg_copy::vector_from_le(wire, le);
  ASSERT_EQ(wire.size(), 4 + sizeof values);
  EXPECT_EQ(pg_copy::get_be(wire.data(), 2), 3u);
  EXPECT_EQ(pg_copy::get_be(wire.data() + 4, 4), 0x3F800000u);  // 1.0f, big-endian
  ASSERT_TRUE(pg_copy::vector_to_le(back, wire));
  EXPECT_EQ(back, le);
  EXPECT_FALSE(pg_copy::vector_to_le(back, wire.substr(0, wire.size() - 1)));
}

TEST(EncodeRow, EveryKindInColumnOrder) {
  const TableSpec* t = find_transfer_table("hook_history");
  ASSERT_NE(t, nullptr);
  std::vector<Cell> cells(t->columns.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Column& c = t->columns[i];
    Cell& cell = cells[i];
    switch (c.kind) {
      case ColumnKind::kText:
        cell.s = c.nullable ? std::string_view() : std::string_view("t\"ü\n");
        cell.null = c.nullable;
        break;
      case ColumnKind::kJson:
        cell.s = R"({"b":1.50e1, "a": [true,null]})";
        break;
      case ColumnKind::kBytes:
        cell.s = std::string_view("\0\xff", 2);
        break;
      case ColumnKind::kTimestamp:
        cell.i = timestamp_text::kInfinity;
        break;
      default:
        cell.i = 7;
    }
  }
  std::string out;
  encode_row(out, *t, cells.data());
  EXPECT_EQ(out.rfind(R"({"tenant_id": "t\"ü\n", "execution_id": )", 0), 0u);
  EXPECT_NE(out.find(R"("correlation_id": null)"), std::string::npos);
  EXPECT_NE(out.find(R"("hook_context": "AP8=")"), std::string::npos);
  EXPECT_NE(out.find(R"("result_data": {"a": [true, null], "b": 15.0})"), std::string::npos);
  EXPECT_NE(out.find(R"("executed_at": "infinity")"), std::string::npos);
  EXPECT_NE(out.find(R"("context_compressed": true)"), std::string::npos);
  EXPECT_NE(out.find(R"("duration_ms": 7)"), std::string::npos);
}

TEST(EncodeRow, RefusesWhatTheFormatCannotCarry) {
  const TableSpec* t = find_transfer_table("embeddings_384");
  std::vector<Cell> cells(t->columns.size());
  for (Cell& c : cells) c.s = "{}";
  std::string vec(383 * 4, '\0'), out;
  cells[static_cast<std::size_t>(column_index(*t, "embedding"))].s = vec;
  EXPECT_THROW(encode_row(out, *t, cells.data()), CliError);
  vec.resize(384 * 4);
  cells[static_cast<std::size_t>(column_index(*t, "embedding"))].s = vec;
  cells[static_cast<std::size_t>(column_index(*t, "created_at"))].i =
      timestamp_text::kMaxMicros + 1;
  EXPECT_THROW(encode_row(out, *t, cells.data()), CliError);
  cells[static_cast<std::size_t>(column_index(*t, "created_at"))].i = 0;
  cells[static_cast<std::size_t>(column_index(*t, "metadata"))].s = "{not json";
  EXPECT_THROW(encode_row(out, *t, cells.data()), CliError);
  cells[static_cast<std::size_t>(column_index(*t, "metadata"))].s = "{}";
  cells[static_cast<std::size_t>(column_index(*t, "scope"))].null = true;
  EXPECT_THROW(encode_row(out, *t, cells.data()), CliError);
}

TEST(TransferTables, FifteenWithTheirKeys) {
  ASSERT_EQ(transfer_tables().size(), 15u);
  for (const TableSpec& t : transfer_tables()) {
    EXPECT_EQ(t.key.front(), "tenant_id") << t.name;
    for (std::string_view k : t.key) EXPECT_GE(column_index(t, k), 0) << t.name << "." << k;
  }
}

}  // namespace
}  // namespace llmspell::cli
