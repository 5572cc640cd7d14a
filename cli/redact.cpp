#include "redact.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace llmspell::cli {
namespace {

std::mutex g_mutex;
std::vector<std::string> g_secrets;  // longest first, so no secret is masked half by a shorter one

std::string percent_encoded(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void replace_all(std::string& text, const std::string& secret) {
  const bool whole_word = secret.size() < 3;
  std::size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    const std::size_t end = pos + secret.size();
    if (whole_word && ((pos > 0 && is_word_char(text[pos - 1])) ||
                       (end < text.size() && is_word_char(text[end])))) {
      pos = end;
      continue;
    }
    text.replace(pos, secret.size(), kRedacted);
    pos += kRedacted.size();
  }
}

void insert_secret(std::string s) {
  if (s.empty() || std::find(g_secrets.begin(), g_secrets.end(), s) != g_secrets.end()) return;
  g_secrets.push_back(std::move(s));
  std::stable_sort(g_secrets.begin(), g_secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

}  // namespace

void add_secret(std::string_view secret) {
  if (secret.empty()) return;
  std::lock_guard lock(g_mutex);
  insert_secret(std::string(secret));
  insert_secret(percent_encoded(secret));
}

std::string redact(std::string_view text) {
  std::string out(text);
  std::lock_guard lock(g_mutex);
  for (const std::string& s : g_secrets) replace_all(out, s);
  return out;
}

void clear_secrets() {
  std::lock_guard lock(g_mutex);
  g_secrets.clear();
}

}  // namespace llmspell::cli
