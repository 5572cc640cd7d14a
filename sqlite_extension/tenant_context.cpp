#include "tenant_context.h"

#include <cctype>
#include <string_view>

#include "function_error.h"

namespace llmspell::sqlite {
namespace {

void result_tenant(sqlite3_context* ctx, const std::optional<std::string>& tenant) {
  if (!tenant) return sqlite3_result_null(ctx);
  sqlite3_result_text64(ctx, tenant->data(), tenant->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

// llmspell_set_tenant(t): sets the tenant (TEXT or INTEGER), or clears it with NULL; returns it.
void set_tenant_fn(sqlite3_context* ctx, ConnectionContext& c, int, sqlite3_value** argv) {
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_NULL:
      c.tenant.reset();
      break;
    case SQLITE_TEXT:
    case SQLITE_INTEGER: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
      if (text == nullptr) throw std::bad_alloc();
      std::string_view t(text, static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
      if (t.empty()) throw FunctionError("the tenant must not be empty (NULL clears it)");
      c.tenant = std::string(t);
      break;
    }
    default:
      throw FunctionError("the tenant must be TEXT or INTEGER (NULL clears it)");
  }
  result_tenant(ctx, c.tenant);
}

void tenant_fn(sqlite3_context* ctx, ConnectionContext& c, int, sqlite3_value**) {
  result_tenant(ctx, c.tenant);
}

}  // namespace

void destroy_function_data(void* data) { delete static_cast<FunctionData*>(data); }

void report_function_error(sqlite3_context* ctx, const char* message) noexcept {
  const auto* data = static_cast<const FunctionData*>(sqlite3_user_data(ctx));
  char* text = sqlite3_mprintf("%s(): %s", data ? data->name : "llmspell", message);
  if (text == nullptr) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_error(ctx, text, -1);
  sqlite3_free(text);
}

std::string table_key(const std::string& schema, const std::string& table) {
  std::string key = schema + "." + table;
  for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return key;
}

int register_tenant_functions(sqlite3* db, const ContextPtr& c) {
  // Not deterministic (the result depends on connection state), and direct-only: a schema (a
  // view or trigger in a database file) must not be able to change the tenant.
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DIRECTONLY;
  int rc = sqlite3_create_function_v2(
      db, "llmspell_set_tenant", 1, kFlags, new FunctionData{"llmspell_set_tenant", c},
      with_context<set_tenant_fn>, nullptr, nullptr, destroy_function_data);
  if (rc != SQLITE_OK) return rc;
  return sqlite3_create_function_v2(db, "llmspell_tenant", 0, kFlags,
                                    new FunctionData{"llmspell_tenant", c}, with_context<tenant_fn>,
                                    nullptr, nullptr, destroy_function_data);
}

}  // namespace llmspell::sqlite
