// PostgreSQL's binary COPY format (https://www.postgresql.org/docs/15/sql-copy.html): a header,
// then per row an int16 field count and per field an int32 length (-1: NULL) and the bytes of the
// type's binary form, all integers in network byte order; an int16 -1 ends the data.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace llmspell::cli::pg_copy {

inline constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with its '\0'
inline constexpr std::size_t kSignatureSize = 11;

inline void put16(std::string& out, std::int16_t v) {
  auto u = static_cast<std::uint16_t>(v);
  out.push_back(static_cast<char>(u >> 8));
  out.push_back(static_cast<char>(u));
}
inline void put32(std::string& out, std::int32_t v) {
  auto u = static_cast<std::uint32_t>(v);
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>(u >> s));
}
inline void put64(std::string& out, std::int64_t v) {
  auto u = static_cast<std::uint64_t>(v);
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>(u >> s));
}
inline std::uint64_t get_be(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// The header: signature, flags 0, no extension.
inline void put_header(std::string& out) {
  out.append(kSignature, kSignatureSize);
  put32(out, 0);
  put32(out, 0);
}

// vector's binary form (int16 dim, int16 0, float4 big-endian) <-> little-endian float32 bytes.
inline void vector_from_le(std::string& out, std::string_view le) {
  put16(out, static_cast<std::int16_t>(le.size() / 4));
  put16(out, 0);
  for (std::size_t i = 0; i < le.size(); i += 4) {
    std::uint32_t u;
    std::memcpy(&u, le.data() + i, 4);  // little-endian host (x86-64, aarch64)
    put32(out, static_cast<std::int32_t>(u));
  }
}
// Returns false when `wire` is not a vector's binary form.
inline bool vector_to_le(std::string& out, std::string_view wire) {
  if (wire.size() < 4) return false;
  std::size_t dim = get_be(wire.data(), 2);
  if (wire.size() != 4 + dim * 4) return false;
  out.resize(dim * 4);
  for (std::size_t i = 0; i < dim; ++i) {
    auto u = static_cast<std::uint32_t>(get_be(wire.data() + 4 + i * 4, 4));
    std::memcpy(out.data() + i * 4, &u, 4);
  }
  return true;
}

}  // namespace llmspell::cli::pg_copy
