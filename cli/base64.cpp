#include "base64.h"

#include <array>
#include <cstdint>

namespace llmspell::cli::base64 {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (std::uint8_t i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = i;
  return t;
}
constexpr std::array<std::uint8_t, 256> kTable = make_table();

}  // namespace

void encode(std::string& out, std::string_view bytes) {
  std::size_t start = out.size();
  out.resize(start + encoded_size(bytes.size()));
  char* p = out.data() + start;
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size(), i = 0;
  for (; i + 3 <= n; i += 3) {
    std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    *p++ = kAlphabet[v >> 18];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = kAlphabet[(v >> 6) & 63];
    *p++ = kAlphabet[v & 63];
  }
  if (n - i == 1) {
    std::uint32_t v = std::uint32_t{in[i]} << 16;
    *p++ = kAlphabet[v >> 18];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = '=';
    *p++ = '=';
  } else if (n - i == 2) {
    std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
    *p++ = kAlphabet[v >> 18];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = kAlphabet[(v >> 6) & 63];
    *p++ = '=';
  }
}

std::optional<std::size_t> decode(std::string_view text, std::string& out) {
  out.clear();
  std::size_t n = text.size();
  if (n % 4 != 0) return n - n % 4;
  std::size_t pad = 0;
  if (n > 0 && text[n - 1] == '=') pad = (text[n - 2] == '=') ? 2 : 1;
  out.resize(n / 4 * 3 - pad);
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t full = pad ? n - 4 : n;
  for (std::size_t i = 0; i < full; i += 4) {
    std::uint8_t a = kTable[in[i]], b = kTable[in[i + 1]], c = kTable[in[i + 2]],
                 d = kTable[in[i + 3]];
    if ((a | b | c | d) == kInvalid || ((a | b | c | d) & 0xC0)) {
      for (std::size_t k = i; k < i + 4; ++k)
        if (kTable[in[k]] == kInvalid) return k;
    }
    std::uint32_t v = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (c << 6) | d;
    *o++ = static_cast<unsigned char>(v >> 16);
    *o++ = static_cast<unsigned char>(v >> 8);
    *o++ = static_cast<unsigned char>(v);
  }
  if (pad) {
    std::size_t i = n - 4;
    std::uint8_t a = kTable[in[i]], b = kTable[in[i + 1]];
    if (a == kInvalid) return i;
    if (b == kInvalid) return i + 1;
    std::uint32_t v = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12);
    if (pad == 1) {
      std::uint8_t c = kTable[in[i + 2]];
      if (c == kInvalid) return i + 2;
      v |= std::uint32_t{c} << 6;
      if (v & 0xFF) return i + 2;  // bits the padding should have left zero
      *o++ = static_cast<unsigned char>(v >> 16);
      *o++ = static_cast<unsigned char>(v >> 8);
    } else {
      if (v & 0xFFFF) return i + 1;
      *o++ = static_cast<unsigned char>(v >> 16);
    }
  }
  return std::nullopt;
}

}  // namespace llmspell::cli::base64
