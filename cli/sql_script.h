// Splits a PostgreSQL script into statements, so that a failing statement can be named by its
// line in the file. Understands what PostgreSQL's own lexer does about semicolons: quoted
// strings ('...', E'...' with backslash escapes), quoted identifiers, dollar quoting ($$...$$,
// $tag$...$tag$), -- and nested /* */ comments, and BEGIN ATOMIC ... END function bodies.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace llmspell::cli {

struct Statement {
  std::string_view text;  // from its first token to before its ';'
  std::size_t offset;     // of text in the script
  int line;               // 1-based line of its first token
};

std::vector<Statement> split_statements(std::string_view script);

// 1-based line of a byte offset.
int line_of(std::string_view script, std::size_t offset);

// Byte offset of the 1-based character position `position` (as PostgreSQL reports it: UTF-8
// characters) in `text`; text.size() when beyond it.
std::size_t byte_offset_of_character(std::string_view text, int position);

// The statement's first keyword when it controls transactions (BEGIN, COMMIT, ROLLBACK, END,
// START, ABORT, SAVEPOINT, RELEASE, PREPARE TRANSACTION ...), upper-cased; empty otherwise.
// Migrations run inside a transaction the runner owns, so these are refused.
std::string transaction_keyword(std::string_view statement);

// Offset of the first token at or after `from`: skips whitespace and -- and /* */ comments.
std::size_t skip_blank(std::string_view script, std::size_t from);

}  // namespace llmspell::cli
