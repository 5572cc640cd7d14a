#include "temporal/json.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "temporal/types.h"

namespace llmspell::temporal::json {
namespace {

// Deep enough for any real property document, shallow enough that recursion cannot overflow.
constexpr int kMaxNesting = 200;
// Numbers whose decimal exponent is larger than this are refused rather than expanded.
constexpr int kMaxExponent = 4000;

struct Value {
  enum Kind { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject } kind = kNull;
  std::string text;  // string contents (decoded) or canonical number
  std::vector<Value> items;
  std::vector<std::pair<std::string, Value>> members;
};

class Parser {
 public:
  Parser(std::string_view s, const char* what) : s_(s), what_(what) {}

  Value document() {
    Value v = value(0);
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* why) {
    throw GraphError(ErrorKind::kInvalidArgument, std::string(what_) + " is not valid JSON: " +
                                                      why + " at offset " + std::to_string(pos_));
  }
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Value value(int depth) {
    if (depth > kMaxNesting) fail("nested too deeply");
    skip_space();
    if (pos_ >= s_.size()) fail("unexpected end");
    Value v;
    char c = s_[pos_];
    if (c == '{') {
      v.kind = Value::kObject;
      ++pos_;
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
      } else {
        for (;;) {
          skip_space();
          if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a string key");
          std::string key = string();
          skip_space();
          if (pos_ >= s_.size() || s_[pos_] != ':') fail("expected ':'");
          ++pos_;
          v.members.emplace_back(std::move(key), value(depth + 1));
          skip_space();
          if (pos_ < s_.size() && s_[pos_] == ',') {
            ++pos_;
            continue;
          }
          if (pos_ < s_.size() && s_[pos_] == '}') {
            ++pos_;
            break;
          }
          fail("expected ',' or '}'");
        }
      }
      normalise_object(v);
    } else if (c == '[') {
      v.kind = Value::kArray;
      ++pos_;
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
      } else {
        for (;;) {
          v.items.push_back(value(depth + 1));
          skip_space();
          if (pos_ < s_.size() && s_[pos_] == ',') {
            ++pos_;
            continue;
          }
          if (pos_ < s_.size() && s_[pos_] == ']') {
            ++pos_;
            break;
          }
          fail("expected ',' or ']'");
        }
      }
    } else if (c == '"') {
      v.kind = Value::kString;
      v.text = string();
    } else if (literal("true")) {
      v.kind = Value::kTrue;
    } else if (literal("false")) {
      v.kind = Value::kFalse;
    } else if (literal("null")) {
      v.kind = Value::kNull;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = Value::kNumber;
      v.text = number();
    } else {
      fail("unexpected character");
    }
    return v;
  }

  // jsonb keeps the last of duplicate keys and orders keys by length, then bytes.
  static void normalise_object(Value& v) {
    auto& m = v.members;
    std::stable_sort(m.begin(), m.end(), [](const auto& a, const auto& b) {
      if (a.first.size() != b.first.size()) return a.first.size() < b.first.size();
      return a.first < b.first;
    });
    std::vector<std::pair<std::string, Value>> out;
    for (auto& kv : m) {
      if (!out.empty() && out.back().first == kv.first)
        out.back() = std::move(kv);
      else
        out.push_back(std::move(kv));
    }
    m = std::move(out);
  }

  unsigned hex4() {
    if (pos_ + 4 > s_.size()) fail("short \\u escape");
    unsigned u = 0;
    for (int i = 0; i < 4; ++i) {
      char h = s_[pos_++];
      u <<= 4;
      if (h >= '0' && h <= '9')
        u |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f')
        u |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        u |= static_cast<unsigned>(h - 'A' + 10);
      else
        fail("bad \\u escape");
    }
    return u;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  std::string string() {
    ++pos_;  // the opening quote
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated string");
      auto c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return out;
      if (c < 0x20) fail("control character in a string");
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (pos_ >= s_.size()) fail("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp == 0) fail("\\u0000 is not supported");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
              fail("unpaired surrogate");
            pos_ += 2;
            unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("unpaired surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default:
          fail("bad escape");
      }
    }
  }

  // A JSON number as PostgreSQL's numeric prints it: digits * 10^exp with display scale
  // max(0, fraction digits - exponent), no leading zeros, zero without a sign.
  std::string number() {
    bool negative = false;
    if (s_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    std::string digits;
    auto at_digit = [&] { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; };
    if (!at_digit()) fail("bad number");
    if (s_[pos_] == '0') {
      digits.push_back('0');
      ++pos_;
    } else {
      while (at_digit()) digits.push_back(s_[pos_++]);
    }
    long fraction = 0;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!at_digit()) fail("bad number");
      while (at_digit()) {
        digits.push_back(s_[pos_++]);
        ++fraction;
      }
    }
    long exponent = 0;
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      bool eneg = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) eneg = s_[pos_++] == '-';
      if (!at_digit()) fail("bad number");
      while (at_digit()) {
        exponent = exponent * 10 + (s_[pos_++] - '0');
        if (exponent > kMaxExponent) fail("number out of range");
      }
      if (eneg) exponent = -exponent;
    }
    long shift = exponent - fraction;  // value = digits * 10^shift
    if (shift > kMaxExponent || shift < -kMaxExponent) fail("number out of range");
    std::string out;
    if (shift >= 0) {
      out = digits + std::string(static_cast<std::size_t>(shift), '0');
    } else {
      auto scale = static_cast<std::size_t>(-shift);
      if (digits.size() <= scale) digits = std::string(scale - digits.size() + 1, '0') + digits;
      out = digits.substr(0, digits.size() - scale) + "." + digits.substr(digits.size() - scale);
    }
    std::size_t lead = 0;
    while (lead + 1 < out.size() && out[lead] == '0' && out[lead + 1] != '.') ++lead;
    out = out.substr(lead);
    bool zero = out.find_first_not_of("0.") == std::string::npos;
    if (negative && !zero) out = "-" + out;
    return out;
  }

  std::string_view s_;
  const char* what_;
  std::size_t pos_ = 0;
};

}  // namespace

void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  // Runs of characters that need no escape are appended whole.
  std::size_t plain = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out.push_back('"');
}

namespace {

void write_string(std::string& out, const std::string& s) { append_string(out, s); }

void write(std::string& out, const Value& v) {
  switch (v.kind) {
    case Value::kNull:
      out += "null";
      break;
    case Value::kTrue:
      out += "true";
      break;
    case Value::kFalse:
      out += "false";
      break;
    case Value::kNumber:
      out += v.text;
      break;
    case Value::kString:
      write_string(out, v.text);
      break;
    case Value::kArray:
      out.push_back('[');
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ", ";
        write(out, v.items[i]);
      }
      out.push_back(']');
      break;
    case Value::kObject:
      out.push_back('{');
      for (std::size_t i = 0; i < v.members.size(); ++i) {
        if (i) out += ", ";
        write_string(out, v.members[i].first);
        out += ": ";
        write(out, v.members[i].second);
      }
      out.push_back('}');
      break;
  }
}

// Numeric equality: the same value whatever the display scale ("1.0" equals "1").
std::string_view without_scale(std::string_view n) {
  if (n.find('.') == std::string_view::npos) return n;
  while (n.back() == '0') n.remove_suffix(1);
  if (n.back() == '.') n.remove_suffix(1);
  return n;
}

bool scalar_equal(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Value::kNumber) return without_scale(a.text) == without_scale(b.text);
  return a.text == b.text;
}

bool is_container(const Value& v) { return v.kind == Value::kArray || v.kind == Value::kObject; }

bool deep_contains(const Value& c, const Value& f) {
  if (c.kind != f.kind) return false;
  if (c.kind == Value::kObject) {
    for (const auto& [key, fv] : f.members) {
      auto it = std::find_if(c.members.begin(), c.members.end(),
                             [&](const auto& kv) { return kv.first == key; });
      if (it == c.members.end()) return false;
      const Value& cv = it->second;
      if (is_container(fv) ? !deep_contains(cv, fv) : !scalar_equal(cv, fv)) return false;
    }
    return true;
  }
  if (c.kind == Value::kArray) {
    for (const Value& fv : f.items) {
      bool found = std::any_of(c.items.begin(), c.items.end(), [&](const Value& cv) {
        return is_container(fv) ? deep_contains(cv, fv) : scalar_equal(cv, fv);
      });
      if (!found) return false;
    }
    return true;
  }
  return scalar_equal(c, f);
}

}  // namespace

std::string canonical(std::string_view text, const char* what, bool require_object) {
  Value v = Parser(text, what).document();
  if (require_object && v.kind != Value::kObject)
    throw GraphError(ErrorKind::kInvalidArgument, std::string(what) + " must be a JSON object");
  std::string out;
  write(out, v);
  return out;
}

bool contains(std::string_view container, std::string_view filter) {
  Value c = Parser(container, "stored properties").document();
  Value f = Parser(filter, "the properties filter").document();
  // jsonb stores a top-level scalar as a one-element array: ["a"] @> "a" holds there only.
  if (c.kind == Value::kArray && !is_container(f)) {
    Value wrapped;
    wrapped.kind = Value::kArray;
    wrapped.items.push_back(std::move(f));
    return deep_contains(c, wrapped);
  }
  if (is_container(c) != is_container(f)) return false;
  return deep_contains(c, f);
}

std::string string_array(const std::vector<std::string>& items) {
  std::string out;
  append_string_array(out, items);
  return out;
}

void append_string_array(std::string& out, const std::vector<std::string>& items) {
  out += "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ",";
    append_string(out, items[i]);
  }
  out += "]";
}

}  // namespace llmspell::temporal::json
