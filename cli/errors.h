// Failures the CLI reports and the exit statuses scripts can rely on.
#pragma once

#include <stdexcept>
#include <string>

namespace llmspell::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and something is wrong or missing
inline constexpr int kExitUsage = 2;    // the command line itself is wrong

// A failure the user has to act on: printed as "llmspell: <message>", exit status 1. The message
// is one line; Detail lines (database DETAIL/HINT/CONTEXT) follow it, indented.
class CliError : public std::runtime_error {
 public:
  explicit CliError(const std::string& message, std::string detail = {})
      : std::runtime_error(message), detail_(std::move(detail)) {}
  const std::string& detail() const { return detail_; }

 private:
  std::string detail_;
};

}  // namespace llmspell::cli
