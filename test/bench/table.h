// Fixed-width plain-text tables for bench_hnsw's output.
#pragma once

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace bench {

inline std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline std::string format(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

// Columns are right-aligned, except the first, which is left-aligned. A column is as wide as
// its widest cell or header.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  void row(std::vector<std::string> cells) {
    cells.resize(headers_.size());
    rows_.push_back(std::move(cells));
  }
  void rule() { rows_.emplace_back(); }  // a separator line

  void print(std::FILE* out = stdout) const {
    std::vector<std::size_t> width(headers_.size());
    for (std::size_t c = 0; c < headers_.size(); ++c) width[c] = headers_[c].size();
    for (const auto& r : rows_)
      for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
    std::size_t total = 0;
    for (std::size_t w : width) total += w + 2;
    auto line = [&](const std::vector<std::string>& cells) {
      std::string s;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        std::string pad(width[c] - cells[c].size(), ' ');
        s += c == 0 ? cells[c] + pad : pad + cells[c];
        if (c + 1 < cells.size()) s += "  ";
      }
      std::fprintf(out, "  %s\n", s.c_str());
    };
    line(headers_);
    std::fprintf(out, "  %s\n", std::string(total - 2, '-').c_str());
    for (const auto& r : rows_) {
      if (r.empty())
        std::fprintf(out, "  %s\n", std::string(total - 2, '-').c_str());
      else
        line(r);
    }
    std::fflush(out);
  }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace bench
