#include "json_writer.h"

#include <gtest/gtest.h>

namespace llmspell::cli {
namespace {

TEST(JsonWriter, NestedContainers) {
  JsonWriter w;
  w.begin_object()
      .key("a")
      .value(1)
      .key("b")
      .begin_array()
      .value("x")
      .value(true)
      .null()
      .end_array();
  w.key("c").begin_object().end_object().key("d").value(std::int64_t{-5}).end_object();
  EXPECT_EQ(w.str(), R"({"a":1,"b":["x",true,null],"c":{},"d":-5})");
}

TEST(JsonWriter, Escapes) {
  EXPECT_EQ(JsonWriter::quote("a\"b\\c\nd\x01"), R"("a\"b\\c\nd\u0001")");
  EXPECT_EQ(JsonWriter::quote("\xc3\xa9"), "\"\xc3\xa9\"");
}

}  // namespace
}  // namespace llmspell::cli
