#include "guard.h"

namespace llmspell::sqlite {

void report_error(sqlite3_context* ctx, const char* message) noexcept {
  const char* function = static_cast<const char*>(sqlite3_user_data(ctx));
  char* text = sqlite3_mprintf("%s(): %s", function ? function : "llmspell", message);
  if (text == nullptr) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_error(ctx, text, -1);  // SQLite copies the message
  sqlite3_free(text);
}

}  // namespace llmspell::sqlite
