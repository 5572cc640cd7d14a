#include "timestamp_text.h"

namespace llmspell::cli::timestamp_text {
namespace {

constexpr std::int64_t kMicrosPerDay = 86400000000;
constexpr std::int64_t kPostgresEpochOffset = 946684800000000;  // 2000-01-01 in Unix micros

// Howard Hinnant's days <-> civil date algorithms (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

void put_digits(char* p, std::int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

bool digits(std::string_view s, std::size_t at, int width, std::int64_t& v) {
  v = 0;
  for (int i = 0; i < width; ++i) {
    char c = s[at + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  return true;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

bool append(std::string& out, std::int64_t micros) {
  if (micros == kInfinity) {
    out += "infinity";
    return true;
  }
  if (micros == kMinusInfinity) {
    out += "-infinity";
    return true;
  }
  if (micros < kMinMicros || micros > kMaxMicros) return false;
  std::int64_t days = micros / kMicrosPerDay, rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[28] = "0000-00-00T00:00:00.000000Z";
  put_digits(buf, y, 4);
  put_digits(buf + 5, m, 2);
  put_digits(buf + 8, d, 2);
  put_digits(buf + 11, rest / 3600000000, 2);
  put_digits(buf + 14, rest / 60000000 % 60, 2);
  put_digits(buf + 17, rest / 1000000 % 60, 2);
  put_digits(buf + 20, rest % 1000000, 6);
  out.append(buf, 27);
  return true;
}

std::optional<std::int64_t> parse(std::string_view s) {
  if (s == "infinity") return kInfinity;
  if (s == "-infinity") return kMinusInfinity;
  if (s.size() != 27 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != '.' || s[26] != 'Z')
    return std::nullopt;
  std::int64_t y, mo, d, h, mi, sec, us;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
      !digits(s, 14, 2, mi) || !digits(s, 17, 2, sec) || !digits(s, 20, 6, us))
    return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return std::nullopt;
  if (d > kDays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0)) return std::nullopt;
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * kMicrosPerDay + ((h * 60 + mi) * 60 + sec) * 1000000 + us;
}

std::optional<std::int64_t> from_postgres(std::int64_t pg) {
  if (pg == kInfinity || pg == kMinusInfinity) return pg;
  if (pg < kMinMicros - kPostgresEpochOffset || pg > kMaxMicros - kPostgresEpochOffset)
    return std::nullopt;
  return pg + kPostgresEpochOffset;
}

std::optional<std::int64_t> to_postgres(std::int64_t micros) {
  if (micros == kInfinity || micros == kMinusInfinity) return micros;
  if (micros < kMinMicros || micros > kMaxMicros) return std::nullopt;
  return micros - kPostgresEpochOffset;
}

}  // namespace llmspell::cli::timestamp_text
