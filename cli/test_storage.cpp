#include "test_storage.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>

#include "errors.h"
#include "health.h"
#include "json_writer.h"
#include "open_database.h"
#include "output.h"
#include "test_storage_probe.h"

namespace llmspell::cli {
namespace {

using namespace test_storage;

// A check's figures, for --json.
struct Figures {
  std::optional<double> speedup, recall, overhead, tenant_recall;
  std::optional<int> cross_tenant_rows, results;
};

void progress(const std::string& text) {
  // Progress goes to a terminal only: scripts and pipes get the result lines alone.
  if (isatty(STDERR_FILENO)) print_note("  " + text + "\n");
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void check_vectors(StorageProbe& probe, const TestData& data, const TestStorageOptions& o,
                   HealthReport& report, Figures& f,
                   std::vector<std::vector<std::int64_t>>& exact) {
  const int n = static_cast<int>(data.queries.size());
  progress("exact search for " + std::to_string(n) + " queries (the ground truth)");
  std::vector<std::vector<std::int64_t>> approx;
  for (int q = 0; q < n; ++q) {
    exact.push_back(probe.search_exact(q));
    approx.push_back(probe.search_index(q));
  }
  f.recall = recall(approx, exact);
  progress("timing HNSW against exact search (" + std::to_string(kPasses) + " passes)");
  Comparison c = compare(
      n, kPasses, [&] { return probe.clock(); }, [&](int q) { probe.search_index(q); },
      [&](int q) { probe.search_exact(q); });
  f.speedup = c.a_seconds > 0 ? c.b_seconds / c.a_seconds : 0;
  std::string figures = ratio_text(*f.speedup) + " HNSW speed-up over exact search, recall@" +
                        std::to_string(kNeighbours) + " " + fixed(*f.recall, 3) + "; " +
                        std::to_string(o.rows) + " vectors of " +
                        std::to_string(kVectorDimensions) + " dimensions, " + std::to_string(n) +
                        " queries, " + probe.clock_name();
  if (*f.recall < kMinRecall) {
    report.add("vector_search", "Vector search", Level::kFailure,
               "FAILED: recall@" + std::to_string(kNeighbours) + " " + fixed(*f.recall, 3) +
                   " is below " + fixed(kMinRecall, 2) + " (" + figures + ")");
  } else if (*f.speedup < 1) {
    report.add("vector_search", "Vector search", Level::kWarning,
               "OK, but the index was slower than exact search (" + figures + ")");
  } else {
    report.add("vector_search", "Vector search", Level::kOk, "OK (" + figures + ")");
  }
}

void check_tenancy(StorageProbe& probe, const TestData& data,
                   const std::vector<std::vector<std::int64_t>>& exact, HealthReport& report,
                   Figures& f) {
  const int n = static_cast<int>(data.queries.size());
  int cross = 0, results = 0;
  std::vector<std::vector<std::int64_t>> found;
  for (int q = 0; q < n; ++q) {
    std::vector<std::int64_t> ids;
    for (const Hit& h : probe.search_as_tenant(q, true)) {
      ++results;
      if (h.tenant != data.tenant) ++cross;
      ids.push_back(h.id);
    }
    found.push_back(std::move(ids));
  }
  f.cross_tenant_rows = cross;
  f.results = results;
  f.tenant_recall = recall(found, exact);
  progress("timing the tenant's search against the same search without tenants (" +
           std::to_string(kPasses) + " passes)");
  Comparison c = compare(
      n, kPasses, [&] { return probe.clock(); }, [&](int q) { probe.search_as_tenant(q, false); },
      [&](int q) { probe.search_index(q); });
  f.overhead = c.b_seconds > 0 ? c.a_seconds / c.b_seconds - 1 : 0;
  std::string target = *f.overhead <= kOverheadTarget ? "target < " : "above the target of ";
  std::string figures = percent_text(*f.overhead) + " overhead, " + target +
                        percent_text(kOverheadTarget) + "; " + std::to_string(cross) +
                        " cross-tenant rows in " + std::to_string(results) + " results, recall@" +
                        std::to_string(kNeighbours) + " " + fixed(*f.tenant_recall, 3) + "; " +
                        probe.isolation();
  if (cross > 0) {
    report.add(
        "multi_tenancy", "Multi-tenancy", Level::kFailure,
        "FAILED: " + std::to_string(cross) + " rows of other tenants returned (" + figures + ")");
  } else if (results == 0) {
    report.add("multi_tenancy", "Multi-tenancy", Level::kFailure,
               "FAILED: the tenant's searches returned nothing (" + figures + ")");
  } else if (*f.overhead > kOverheadTarget) {
    report.add("multi_tenancy", "Multi-tenancy", Level::kWarning, "OK (" + figures + ")");
  } else {
    report.add("multi_tenancy", "Multi-tenancy", Level::kOk, "OK (" + figures + ")");
  }
}

// A small bi-temporal graph: people who know each other and a job that ended. Checked: a version
// read as of a valid time, the same as the database knew it before a later write, and a
// traversal that follows only relationships valid at the time asked about.
std::string graph_scenario(GraphSession& g) {
  constexpr std::int64_t kYear = 365LL * 24 * 3600 * 1000000;
  constexpr std::int64_t t2020 = 1577836800LL * 1000000;  // 2020-01-01 UTC
  const std::int64_t t2022 = t2020 + 2 * kYear + 86400LL * 1000000;
  auto expect = [](bool ok, const std::string& what) {
    if (!ok) throw CliError(what);
  };
  std::string first = g.add_entity("alice", "person", "Alice", t2020);
  g.add_entity("bob", "person", "Bob", t2020);
  g.add_entity("carol", "person", "Carol", t2020);
  g.add_entity("acme", "company", "Acme", t2020);
  g.add_relationship("r1", "alice", "bob", "knows", t2020, std::nullopt);
  g.add_relationship("r2", "bob", "carol", "knows", t2020, std::nullopt);
  g.add_relationship("r3", "carol", "acme", "works_at", t2020, t2022);
  std::string renamed = g.rename_entity("alice", "Alice Smith", t2022);

  auto then = g.name_at("alice", t2020 + kYear, std::nullopt);
  auto now = g.name_at("alice", t2022 + kYear, std::nullopt);
  auto unknown = g.name_at("alice", t2022 + kYear, first, -1);
  expect(then == "Alice",
         "as-of read: alice in 2021 should be 'Alice', got '" + then.value_or("(nothing)") + "'");
  expect(now == "Alice Smith", "as-of read: alice in 2023 should be 'Alice Smith', got '" +
                                   now.value_or("(nothing)") + "'");
  expect(!unknown,
         "as-of read: alice as known just before her first write should not exist, got '" +
             unknown.value_or("") + "'");
  // Both databases give every write of one transaction the same transaction time, and the probe
  // writes in one transaction; should the rename come later, the first write's view predates it.
  if (renamed != first) {
    auto known_before = g.name_at("alice", t2022 + kYear, first);
    expect(known_before == "Alice",
           "as-of read: alice in 2023 as known at the first write should be 'Alice', got '" +
               known_before.value_or("(nothing)") + "'");
  }
  int versions = g.history_length("alice");
  expect(versions >= 2,
         "entity history: alice should have 2 or more versions, has " + std::to_string(versions));

  auto in2021 = g.traverse("alice", 3, t2020 + kYear);
  auto in2023 = g.traverse("alice", 3, t2022 + kYear);
  auto render = [](const std::vector<std::pair<std::string, int>>& nodes) {
    std::string s;
    for (const auto& [id, depth] : nodes)
      s += (s.empty() ? "" : " ") + id + "@" + std::to_string(depth);
    return s.empty() ? std::string("(nothing)") : s;
  };
  auto has = [](const std::vector<std::pair<std::string, int>>& nodes, const std::string& id,
                int depth) {
    return std::find(nodes.begin(), nodes.end(), std::make_pair(id, depth)) != nodes.end();
  };
  expect(has(in2021, "bob", 1) && has(in2021, "carol", 2) && has(in2021, "acme", 3),
         "traversal from alice in 2021 should reach bob@1 carol@2 acme@3, got " + render(in2021));
  expect(
      has(in2023, "carol", 2) && !has(in2023, "acme", 3),
      "traversal from alice in 2023 should stop at carol (the job ended), got " + render(in2023));
  return "bi-temporal writes, as-of reads in valid and transaction time, " +
         std::to_string(versions) + " versions, traversal of 3 hops; rolled back";
}

void check_graph(StorageProbe& probe, const std::string& tenant, HealthReport& report) {
  std::string message;
  probe.with_graph(tenant, [&](GraphSession& g) { message = graph_scenario(g); });
  report.add("graph", "Graph", Level::kOk, "OK (" + message + ")");
}

void print(const HealthReport& report, const Config& config, const Figures& f, bool json) {
  if (!json) {
    for (const Check& c : report.checks())
      print_line(std::string(level_symbol(c.level)) + " " + c.label + ": " + c.message);
    return;
  }
  JsonWriter out;
  out.begin_object()
      .key("ok")
      .value(report.ok())
      .key("backend")
      .value(backend_name(config.backend));
  out.key("checks").begin_array();
  for (const Check& c : report.checks()) {
    out.begin_object().key("id").value(c.id).key("label").value(c.label);
    out.key("status").value(level_name(c.level)).key("message").value(c.message);
    if (c.id == "vector_search") {
      if (f.speedup) out.key("speedup").value(*f.speedup);
      if (f.recall) out.key("recall_at_10").value(*f.recall);
    }
    if (c.id == "multi_tenancy") {
      if (f.overhead) out.key("overhead").value(*f.overhead);
      if (f.cross_tenant_rows) out.key("cross_tenant_rows").value(*f.cross_tenant_rows);
      if (f.results) out.key("results").value(*f.results);
      if (f.tenant_recall) out.key("recall_at_10").value(*f.tenant_recall);
    }
    out.end_object();
  }
  out.end_array().end_object();
  print_line(out.str());
}

}  // namespace

int run_test_storage(const Config& config, const std::vector<Migration>& files,
                     const TestStorageOptions& o) {
  HealthReport report;
  Figures figures;
  std::unique_ptr<StorageProbe> probe;
  std::string label =
      config.backend == Backend::kPostgres ? "PostgreSQL connection" : "SQLite database";
  try {
    std::unique_ptr<Database> db = open_database(config, OpenPurpose::kInspect, files);
    if (!db) {
      throw CliError(config.sqlite.path.string() +
                     " does not exist (llmspell database migrate creates it)");
    }
    probe = config.backend == Backend::kPostgres ? make_postgres_probe(std::move(db))
                                                 : make_sqlite_probe(std::move(db));
    label = probe->connection_label();
    report.add("connection", label, Level::kOk, "OK (" + probe->connection_details() + ")");
  } catch (const CliError& e) {
    report.add("connection", label, Level::kFailure, std::string("FAILED: ") + e.what());
    print(report, config, figures, o.json);
    return kExitFailure;
  }

  // A tenant name no application uses, unique to this process.
  const std::string tenant = "llmspell-test-storage-" + std::to_string(getpid());
  try {
    progress("generating " + std::to_string(2 * o.rows) + " vectors of " +
             std::to_string(kVectorDimensions) + " dimensions");
    TestData data = generate(tenant, o.rows, o.queries);
    probe->load(data, progress);
    std::vector<std::vector<std::int64_t>> exact;
    check_vectors(*probe, data, o, report, figures, exact);
    check_tenancy(*probe, data, exact, report, figures);
  } catch (const CliError& e) {
    std::string why = std::string("FAILED: ") + e.what();
    for (const char* id : {"vector_search", "multi_tenancy"}) {
      const auto& done = report.checks();
      if (std::none_of(done.begin(), done.end(), [&](const Check& c) { return c.id == id; })) {
        report.add(id, id == std::string("vector_search") ? "Vector search" : "Multi-tenancy",
                   Level::kFailure, why);
      }
    }
  }
  probe->cleanup();
  try {
    check_graph(*probe, tenant + "-graph", report);
  } catch (const CliError& e) {
    report.add("graph", "Graph", Level::kFailure, std::string("FAILED: ") + e.what());
  }
  print(report, config, figures, o.json);
  return report.ok() ? kExitOk : kExitFailure;
}

}  // namespace llmspell::cli
