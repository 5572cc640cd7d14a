#include "redact.h"

#include <gtest/gtest.h>

namespace llmspell::cli {
namespace {

TEST(Redact, MasksEveryOccurrenceAndEncodings) {
  clear_secrets();
  add_secret("p@ss word");
  EXPECT_EQ(redact("a p@ss word b p@ss word"), "a ******** b ********");
  EXPECT_EQ(redact("url postgres://u:p%40ss%20word@h"), "url postgres://u:********@h");
  clear_secrets();
  EXPECT_EQ(redact("p@ss word"), "p@ss word");
}

TEST(Redact, ShortSecretsOnlyAsWords) {
  clear_secrets();
  add_secret("ab");
  EXPECT_EQ(redact("about ab tab"), "about ******** tab");
  clear_secrets();
}

TEST(Redact, LongerSecretFirst) {
  clear_secrets();
  add_secret("secret");
  add_secret("secret-longer");
  EXPECT_EQ(redact("x secret-longer y"), "x ******** y");
  clear_secrets();
}

}  // namespace
}  // namespace llmspell::cli
