// Reading an export document with simdjson's On-Demand parser and handing its rows, checked and
// decoded, to an ImportSink. Any error throws CliError naming the table, the record's position and
// the field; the caller's transaction is then never committed.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "import_sink.h"

namespace llmspell::cli {

struct ImportResult {
  std::vector<std::int64_t> rows;  // per table of transfer_tables(), rows written
  std::int64_t total = 0;
  std::string source_backend;
};

// Checks the header (version "1.0", source_backend, migrations, all 15 sections and no other),
// then writes the sections in transfer_tables() order (whatever their order in the file) and
// commits. Relationships must name entities that exist (in the file or the database).
ImportResult import_document(simdjson::padded_string_view json, ImportSink& sink,
                             const std::optional<std::string>& tenant);

}  // namespace llmspell::cli
