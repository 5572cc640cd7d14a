// Entry point of the loadable module. SQLite derives the name sqlite3_llmspell_init from the file
// name llmspell.so, so `.load path/llmspell` needs no explicit entry point.
#include <sqlite3ext.h>

#include "vector_functions.h"

// The routine table pointer every sqlite3_* call in the module goes through (see sqlite_api.h).
SQLITE_EXTENSION_INIT1

extern "C" __attribute__((visibility("default"))) int sqlite3_llmspell_init(
    sqlite3* db, char** error_message, const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  int rc = llmspell::sqlite::register_vector_functions(db);
  if (rc != SQLITE_OK && error_message != nullptr) {
    *error_message =
        sqlite3_mprintf("llmspell: registering functions failed: %s", sqlite3_errstr(rc));
  }
  return rc;
}
