// `llmspell test storage`: the generated data and the arithmetic of its measurements, apart from
// any database. Clustered unit vectors from a fixed seed (the same on every run and backend), the
// recall of approximate answers against exact ones, and CPU-fair timing: two searches measured
// query by query in alternation, in repeated passes, each side keeping its cheapest pass, so that
// other processes on a busy machine inflate neither side more than the other.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace llmspell::cli::test_storage {

inline constexpr int kVectorDimensions = 384;
inline constexpr int kNeighbours = 10;  // k of every search, and of recall@k
inline constexpr int kClusters = 24;
inline constexpr int kOtherTenants = 3;
inline constexpr int kPasses = 3;
inline constexpr int kEfSearch = 40;
inline constexpr int kM = 16;
inline constexpr int kEfConstruction = 64;
// Below this recall@10 the index is broken, not merely approximate.
inline constexpr double kMinRecall = 0.9;
// The overhead of tenant isolation the storage layer aims to stay under.
inline constexpr double kOverheadTarget = 0.05;

struct Row {
  std::int64_t id = 0;
  std::string tenant;
  std::vector<float> embedding;
};

struct TestData {
  std::string tenant;            // the tenant every isolated search runs as
  std::vector<Row> tenant_rows;  // its rows: the baseline table holds exactly these
  std::vector<Row> other_rows;   // other tenants' rows, from the same clusters
  std::vector<std::vector<float>> queries;
};

// `rows` vectors for the tenant, as many again spread over kOtherTenants other tenants, and
// `queries` query vectors near the same cluster centres. Ids are unique across all rows.
TestData generate(const std::string& tenant, int rows, int queries);

// '[x,y,...]' with enough digits to read back the same float32.
std::string vector_text(const std::vector<float>& v);
// Little-endian float32 bytes, SQLite's storage form.
std::string vector_blob(const std::vector<float>& v);

// Mean over queries of |approx ∩ exact| / |exact| (exact holds the true k nearest).
double recall(const std::vector<std::vector<std::int64_t>>& approx,
              const std::vector<std::vector<std::int64_t>>& exact);

// A clock read before and after each query: CPU seconds of whoever runs the searches.
using Clock = std::function<double()>;

struct Comparison {
  double a_seconds = 0;  // the cheapest pass of side a, summed over the queries
  double b_seconds = 0;
  int queries = 0;
};

// Runs a(q) and b(q) for each query, in alternating order, `passes` times; each side's figure is
// its cheapest pass.
Comparison compare(int queries, int passes, const Clock& clock, const std::function<void(int)>& a,
                   const std::function<void(int)>& b);

// "8.47x", "2.1%".
std::string ratio_text(double r);
std::string percent_text(double fraction);

}  // namespace llmspell::cli::test_storage
