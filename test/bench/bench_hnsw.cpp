// bench_hnsw: our HNSW core (common/hnsw) beside hnswlib and FAISS IndexHNSWFlat, each built
// and searched in the same run on the same seeded data: build time on one and two threads,
// memory per vector, recall@10 and single-thread QPS over ef_search, filtered search on the
// 100k x 128 clustered set, and the targets computed from the measured numbers.
//
//   bench_hnsw [--dataset NAME[,NAME...]]... [--quick] [--list] [--kernels NAME]
//
// --kernels runs our core on one of the distance implementations this CPU supports (avx512f,
// avx2-fma, portable) instead of the widest; the peers keep theirs (compiled -march=native).
//
// Progress goes to stderr, the tables to stdout.
#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "datasets.h"
#include "hnsw/index.h"
#include "peers.h"
#include "table.h"
#include "vector/distance.h"

namespace {

namespace hn = llmspell::hnsw;
using bench::Dataset;
using bench::format;
using bench::Table;
using Clock = std::chrono::steady_clock;
using Labels = std::vector<std::vector<std::uint64_t>>;

constexpr std::uint32_t kM = 16;
constexpr std::uint32_t kEfConstruction = 200;
constexpr std::size_t kK = 10;
constexpr std::size_t kQueries = 1000;
constexpr int kPasses = 3;  // best of 3: the least disturbed pass on a shared machine
constexpr double kTargetRecall = 0.95;
const std::vector<std::uint32_t> kEfs = {10, 20, 40, 80, 160, 320};
const std::vector<std::uint32_t> kFilterEfs = {40, 160};
const std::vector<double> kSelectivities = {0.5, 0.1, 0.01, 0.001};
// Filtered rows use the first 200 queries: at 0.1% a walk that never finds ef passing nodes
// visits the whole graph, tens of milliseconds per query. A pass longer than this is not
// repeated (it already averages over the noise that best-of-3 is for).
constexpr std::size_t kFilterQueries = 200;
constexpr double kLongPass = 2.0;

enum Lib { kOurs, kHnswlib, kFaiss, kLibs };
const char* const kLibNames[kLibs] = {"ours", "hnswlib", "faiss"};

enum class Kind { kClustered, kUniform };

struct Spec {
  const char* name;
  Kind kind;
  std::size_t count;
  std::uint32_t dims;
  bool cosine;    // cosine / inner product on normalised vectors, else L2
  bool filtered;  // also the filtered rows
  // true: a 1-thread build is timed and searched, then a 2-thread build is timed. false: only
  // a 2-thread build, timed and searched (saves the longest builds where only search matters).
  bool one_thread_build;
  std::uint64_t data_seed;
  std::uint64_t query_seed;
};

// clustered-768-cosine is the same data as clustered-768 (same seeds), normalised.
const Spec kSpecs[] = {
    {"clustered-128", Kind::kClustered, 100000, 128, false, true, true, 1128, 2128},
    {"clustered-768", Kind::kClustered, 100000, 768, false, false, true, 1768, 2768},
    {"clustered-768-cosine", Kind::kClustered, 100000, 768, true, false, false, 1768, 2768},
    {"clustered-3072", Kind::kClustered, 20000, 3072, false, false, true, 13072, 23072},
    {"uniform-128", Kind::kUniform, 100000, 128, false, false, true, 3128, 4128},
};

Clock::time_point g_start = Clock::now();

void progress(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void progress(const char* fmt, ...) {
  double s = std::chrono::duration<double>(Clock::now() - g_start).count();
  std::fprintf(stderr, "[bench_hnsw %3d:%02d] ", static_cast<int>(s) / 60,
               static_cast<int>(s) % 60);
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fputc('\n', stderr);
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Resident set size, from /proc/self/statm (second field, in pages).
std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// CPU time of the whole process (user + system), to show how much of a wall-clock figure was
// spent computing: on a shared machine a build may wait for a core.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct BuildMeasure {
  double seconds;
  double cpu;
  std::size_t rss_delta;
};

// Times `build` and measures the RSS it adds. Freed memory is handed back to the kernel first
// (malloc_trim), and the mmap threshold is fixed in main(), so the delta is what the new index
// holds (its vectors, graph and bookkeeping) plus whatever its build left allocated.
template <class F>
BuildMeasure measure_build(F&& build) {
  malloc_trim(0);
  std::size_t before = rss_bytes();
  double cpu0 = cpu_seconds();
  auto t0 = Clock::now();
  build();
  double secs = seconds_since(t0);
  double cpu = cpu_seconds() - cpu0;
  std::size_t after = rss_bytes();
  return {secs, cpu, after > before ? after - before : 0};
}

std::string read_cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

std::string read_first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

const char* hnswlib_simd() {
#if defined(__AVX512F__)
  return "AVX-512";
#elif defined(__AVX__)
  return "AVX";
#else
  return "SSE";
#endif
}

// ---- results ----------------------------------------------------------------------------------

struct LibResult {
  double build1 = NAN;  // seconds, one thread
  double build2 = NAN;  // seconds, two threads
  double cpu1 = NAN;    // CPU seconds of the 1-thread build
  double cpu2 = NAN;    // CPU seconds of the 2-thread build
  double rss_per_vector = NAN;
  double self_per_vector = NAN;
  std::vector<double> recall, qps;  // per kEfs entry
  // The smallest ef whose recall reaches kTargetRecall: its index in kEfs, or -1.
  int first_ef_at_target() const {
    for (std::size_t i = 0; i < recall.size(); ++i)
      if (recall[i] >= kTargetRecall) return static_cast<int>(i);
    return -1;
  }
};

struct FilterRow {
  double selectivity;
  std::string method;
  std::vector<double> recall, qps;  // per kFilterEfs entry
};

struct DatasetResult {
  const Spec* spec;
  std::size_t count;
  LibResult lib[kLibs];
  std::vector<FilterRow> filter;
  double search_wall = 0;  // all search passes: wall seconds
  double search_cpu = 0;   // and CPU seconds of the searching thread
};

// ---- one dataset ------------------------------------------------------------------------------

std::string describe(const Spec& s, std::size_t count, std::size_t queries) {
  std::string data = s.kind == Kind::kClustered
                         ? format("Gaussian mixture (%zu clusters x %u latent directions)",
                                  bench::kClusters, bench::kLatent)
                         : std::string("uniform [0,1)^d");
  return format(
      "%s: %zu x %u, %s, %s, %zu queries, k=%zu", s.name, count, s.dims, data.c_str(),
      s.cosine ? "cosine (normalised vectors; hnswlib IP space, FAISS METRIC_INNER_PRODUCT)" : "L2",
      queries, kK);
}

class Runner {
 public:
  Runner(const Spec& spec, bool quick) : spec_(spec), quick_(quick) {}

  DatasetResult run() {
    std::size_t count = quick_ ? spec_.count / 10 : spec_.count;
    std::size_t nq = quick_ ? kQueries / 10 : kQueries;
    progress("%s: generating %zu x %u and %zu queries", spec_.name, count, spec_.dims, nq);
    if (spec_.kind == Kind::kClustered) {
      data_ = bench::clustered(count, spec_.dims, spec_.data_seed);
      queries_ = bench::clustered(nq, spec_.dims, spec_.query_seed);
    } else {
      data_ = bench::uniform(count, spec_.dims, spec_.data_seed);
      queries_ = bench::uniform(nq, spec_.dims, spec_.query_seed);
    }
    if (spec_.cosine) {
      bench::normalise(data_);
      bench::normalise(queries_);
    }
    labels_.resize(count);
    std::iota(labels_.begin(), labels_.end(), std::uint64_t{0});
    if (spec_.filtered) assign_tags();

    progress("%s: exact top-%zu for %zu queries (brute force, 2 threads)", spec_.name, kK, nq);
    truth_ = bench::exact_knn(data_, queries_, kK, spec_.cosine, [](std::size_t) { return true; });

    DatasetResult result{&spec_, count, {}, {}};
    build_for_search(result, spec_.one_thread_build ? 1 : 2);
    search_all(result);
    if (spec_.filtered) filtered_all(result);
    drop_indexes();
    if (spec_.one_thread_build) build_timed_only(result, 2);
    result.search_wall = search_wall_;
    result.search_cpu = search_cpu_;
    return result;
  }

 private:
  hn::Params params() const {
    hn::Params p;
    p.dims = spec_.dims;
    p.metric = spec_.cosine ? hn::Metric::kCosine : hn::Metric::kL2;
    p.m = kM;
    p.ef_construction = kEfConstruction;
    return p;
  }
  const std::uint32_t* tags_or_null() const { return tags_.empty() ? nullptr : tags_.data(); }

  // Tag t (1..4) passes exactly kSelectivities[t-1] of the rows, chosen by a seeded shuffle; the
  // rest have tag 0. One tag per row, so one index serves every selectivity.
  void assign_tags() {
    std::size_t n = data_.count;
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    bench::Rng rng(777);
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    tags_.assign(n, 0);
    std::size_t pos = 0;
    for (std::size_t t = 0; t < kSelectivities.size(); ++t) {
      std::size_t take = static_cast<std::size_t>(std::llround(kSelectivities[t] * n));
      for (std::size_t i = 0; i < take && pos < n; ++i)
        tags_[order[pos++]] = static_cast<std::uint32_t>(t + 1);
    }
  }

  void make_index(Lib lib, unsigned threads) {
    std::size_t n = data_.count;
    switch (lib) {
      case kOurs:
        ours_ = std::make_unique<hn::Index>(params());
        ours_->add_batch(labels_.data(), data_.data.data(), n, threads, tags_or_null());
        break;
      case kHnswlib:
        hnswlib_ =
            std::make_unique<bench::Hnswlib>(spec_.dims, spec_.cosine, n, kM, kEfConstruction);
        hnswlib_->add(data_, threads);
        break;
      case kFaiss:
        faiss_ = std::make_unique<bench::Faiss>(spec_.dims, spec_.cosine, kM, kEfConstruction);
        faiss_->add(data_, threads);
        break;
      default:
        break;
    }
  }

  void drop_indexes() {
    ours_.reset();
    hnswlib_.reset();
    faiss_.reset();
  }

  static void record(LibResult& l, unsigned threads, const BuildMeasure& m) {
    (threads == 1 ? l.build1 : l.build2) = m.seconds;
    (threads == 1 ? l.cpu1 : l.cpu2) = m.cpu;
  }

  // Builds the indexes that the searches use, measuring time and memory.
  void build_for_search(DatasetResult& r, unsigned threads) {
    double n = static_cast<double>(data_.count);
    for (int i = 0; i < kLibs; ++i) {
      Lib lib = static_cast<Lib>(i);
      progress("%s: building %s, %u thread%s", spec_.name, kLibNames[lib], threads,
               threads == 1 ? "" : "s");
      BuildMeasure m = measure_build([&] { make_index(lib, threads); });
      LibResult& l = r.lib[lib];
      record(l, threads, m);
      l.rss_per_vector = static_cast<double>(m.rss_delta) / n;
      double self = lib == kOurs      ? static_cast<double>(ours_->memory_bytes())
                    : lib == kHnswlib ? static_cast<double>(hnswlib_->structure_bytes())
                                      : static_cast<double>(faiss_->structure_bytes());
      l.self_per_vector = self / n;
      progress("%s: %s built in %.1f s (%.1f s CPU)", spec_.name, kLibNames[lib], m.seconds, m.cpu);
    }
  }

  // Times builds that are thrown away (destroyed outside the timing).
  void build_timed_only(DatasetResult& r, unsigned threads) {
    for (int i = 0; i < kLibs; ++i) {
      Lib lib = static_cast<Lib>(i);
      progress("%s: building %s, %u threads", spec_.name, kLibNames[lib], threads);
      BuildMeasure m = measure_build([&] { make_index(lib, threads); });
      drop_indexes();
      record(r.lib[lib], threads, m);
      progress("%s: %s built in %.1f s (%.1f s CPU)", spec_.name, kLibNames[lib], m.seconds, m.cpu);
    }
  }

  // One pass of every query through one library, at one ef; returns seconds.
  double pass(Lib lib, std::uint32_t ef, Labels& out) {
    std::size_t nq = queries_.count;
    out.resize(nq);
    double cpu0 = thread_cpu_seconds();
    auto t0 = Clock::now();
    switch (lib) {
      case kOurs:
        for (std::size_t q = 0; q < nq; ++q) {
          std::vector<hn::Result> res = ours_->search(queries_.row(q), kK, ef);
          out[q].resize(res.size());
          for (std::size_t i = 0; i < res.size(); ++i) out[q][i] = res[i].label;
        }
        break;
      case kHnswlib:
        hnswlib_->set_ef(ef);
        for (std::size_t q = 0; q < nq; ++q) hnswlib_->search(queries_.row(q), kK, out[q]);
        break;
      case kFaiss: {
        faiss_->set_ef(ef);
        faiss_->search_batch(queries_, kK, faiss_labels_, faiss_distances_);
        for (std::size_t q = 0; q < nq; ++q) {
          out[q].clear();
          for (std::size_t i = 0; i < kK; ++i) {
            bench::FaissId l = faiss_labels_[q * kK + i];
            if (l >= 0) out[q].push_back(static_cast<std::uint64_t>(l));
          }
        }
        break;
      }
      default:
        break;
    }
    double wall = seconds_since(t0);
    search_wall_ += wall;
    search_cpu_ += thread_cpu_seconds() - cpu0;
    return wall;
  }

  void search_all(DatasetResult& r) {
    std::size_t nq = queries_.count;
    Labels found;
    for (std::uint32_t ef : kEfs) {
      progress("%s: searching at ef=%u", spec_.name, ef);
      double best[kLibs] = {1e30, 1e30, 1e30};
      // Passes alternate between the libraries so all three see the same machine load.
      for (int p = 0; p < kPasses; ++p) {
        for (int lib = 0; lib < kLibs; ++lib) {
          best[lib] = std::min(best[lib], pass(static_cast<Lib>(lib), ef, found));
          if (p == 0) r.lib[lib].recall.push_back(bench::recall(found, truth_));
        }
      }
      for (int lib = 0; lib < kLibs; ++lib) r.lib[lib].qps.push_back(nq / best[lib]);
    }
  }

  void filtered_all(DatasetResult& r) {
    Dataset queries = queries_;
    queries.count = std::min(queries.count, kFilterQueries);
    queries.data.resize(queries.count * queries.dims);
    std::size_t nq = queries.count;
    Labels found;
    const std::vector<std::uint32_t>& tags = tags_;
    for (std::size_t s = 0; s < kSelectivities.size(); ++s) {
      const std::uint32_t tag = static_cast<std::uint32_t>(s + 1);
      auto accept = [&tags, tag](std::uint64_t label) { return tags[label] == tag; };
      progress("%s: filtered, %g%% pass: exact filtered top-%zu", spec_.name,
               100 * kSelectivities[s], kK);
      Labels truth = bench::exact_knn(data_, queries, kK, spec_.cosine,
                                      [&](std::size_t row) { return tags[row] == tag; });
      std::vector<FilterRow> rows = {
          {kSelectivities[s], "ours tag_filter (counted)", {}, {}},
          {kSelectivities[s], "ours label_filter (opaque)", {}, {}},
          {kSelectivities[s], "hnswlib filter in search", {}, {}},
          {kSelectivities[s], "hnswlib post-filter top-ef", {}, {}},
      };
      for (std::uint32_t ef : kFilterEfs) {
        progress("%s: filtered, %g%% pass, ef=%u", spec_.name, 100 * kSelectivities[s], ef);
        std::vector<double> best(rows.size(), 1e30);
        for (int p = 0; p < kPasses; ++p) {
          for (std::size_t m = 0; m < rows.size(); ++m) {
            if (p > 0 && best[m] > kLongPass) continue;
            found.assign(nq, {});
            double cpu0 = thread_cpu_seconds();
            auto t0 = Clock::now();
            for (std::size_t q = 0; q < nq; ++q) {
              const float* qv = queries.row(q);
              if (m == 0 || m == 1) {
                std::unique_ptr<hn::Filter> f =
                    m == 0 ? ours_->tag_filter(tag) : ours_->label_filter(accept);
                std::vector<hn::Result> res = ours_->search(qv, kK, ef, f.get());
                found[q].resize(res.size());
                for (std::size_t i = 0; i < res.size(); ++i) found[q][i] = res[i].label;
              } else if (m == 2) {
                hnswlib_->filtered_search(qv, kK, ef, accept, found[q]);
              } else {
                hnswlib_->set_ef(ef);
                hnswlib_->post_filter_search(qv, kK, ef, accept, found[q]);
              }
            }
            double wall = seconds_since(t0);
            search_wall_ += wall;
            search_cpu_ += thread_cpu_seconds() - cpu0;
            best[m] = std::min(best[m], wall);
            if (p == 0) rows[m].recall.push_back(bench::recall(found, truth));
          }
        }
        for (std::size_t m = 0; m < rows.size(); ++m) rows[m].qps.push_back(nq / best[m]);
      }
      for (FilterRow& row : rows) r.filter.push_back(std::move(row));
    }
  }

  const Spec& spec_;
  bool quick_;
  Dataset data_, queries_;
  std::vector<std::uint64_t> labels_;
  std::vector<std::uint32_t> tags_;
  Labels truth_;
  std::unique_ptr<hn::Index> ours_;
  std::unique_ptr<bench::Hnswlib> hnswlib_;
  std::unique_ptr<bench::Faiss> faiss_;
  std::vector<bench::FaissId> faiss_labels_;
  std::vector<float> faiss_distances_;
  double search_wall_ = 0, search_cpu_ = 0;
};

// ---- printing ---------------------------------------------------------------------------------

std::string secs(double s) { return std::isnan(s) ? "-" : format("%.1f", s); }
std::string ratio(double a, double b) {
  return std::isnan(a) || std::isnan(b) || b == 0 ? "-" : format("%.2fx", a / b);
}
std::string pct(double r) { return format("%.4f", r); }

void print_dataset(const DatasetResult& r, std::size_t queries) {
  std::printf("\n== %s ==\n", describe(*r.spec, r.count, queries).c_str());

  std::printf(
      "\nbuild and memory: each build runs once; build = wall clock, cpu = process CPU time "
      "over it; memory = RSS delta of the %s build / n\n",
      r.spec->one_thread_build ? "1-thread" : "2-thread (the only one here)");
  Table build({"library", "build 1t (s)", "cpu 1t (s)", "build 2t (s)", "cpu 2t (s)", "2t speed-up",
               "RSS B/vector", "self-reported B/vector"});
  for (int lib = 0; lib < kLibs; ++lib) {
    const LibResult& l = r.lib[lib];
    build.row({kLibNames[lib], secs(l.build1), secs(l.cpu1), secs(l.build2), secs(l.cpu2),
               ratio(l.build1, l.build2), format("%.0f", l.rss_per_vector),
               format("%.0f", l.self_per_vector)});
  }
  build.print();

  std::printf("\nsearch: recall@%zu and single-thread QPS (best of %d passes)\n", kK, kPasses);
  std::vector<std::string> headers = {"ef"};
  for (int lib = 0; lib < kLibs; ++lib) {
    headers.push_back(std::string(kLibNames[lib]) + " recall");
    headers.push_back(std::string(kLibNames[lib]) + " QPS");
  }
  headers.push_back("QPS ours/hnswlib");
  Table search(headers);
  for (std::size_t i = 0; i < kEfs.size(); ++i) {
    std::vector<std::string> row = {format("%u", kEfs[i])};
    for (int lib = 0; lib < kLibs; ++lib) {
      row.push_back(pct(r.lib[lib].recall[i]));
      row.push_back(format("%.0f", r.lib[lib].qps[i]));
    }
    row.push_back(ratio(r.lib[kOurs].qps[i], r.lib[kHnswlib].qps[i]));
    search.row(row);
  }
  search.print();
  std::printf(
      "  machine share: the search passes took %.1f s wall for %.1f s CPU of the searching "
      "thread (%.2f; 1.00 = a core to itself)\n",
      r.search_wall, r.search_cpu, r.search_cpu > 0 ? r.search_wall / r.search_cpu : 0.0);

  std::printf("\nratios (ours / peer)\n");
  Table ratios({"peer", "build 1t", "build 1t cpu", "build 2t", "RSS/vector", "QPS at recall>=0.95",
                "ours at", "peer at"});
  for (int peer : {kHnswlib, kFaiss}) {
    const LibResult& o = r.lib[kOurs];
    const LibResult& p = r.lib[peer];
    int oi = o.first_ef_at_target(), pi = p.first_ef_at_target();
    auto at = [](const LibResult& l, int i) {
      return i < 0 ? std::string("never (<0.95)") : format("ef=%u, %.0f QPS", kEfs[i], l.qps[i]);
    };
    std::string qps_ratio = oi >= 0 && pi >= 0 ? ratio(o.qps[oi], p.qps[pi]) : "-";
    ratios.row({kLibNames[peer], ratio(o.build1, p.build1), ratio(o.cpu1, p.cpu1),
                ratio(o.build2, p.build2), ratio(o.rss_per_vector, p.rss_per_vector), qps_ratio,
                at(o, oi), at(p, pi)});
  }
  ratios.print();

  if (!r.filter.empty()) {
    std::printf(
        "\nfiltered search: the first %zu queries, exact filtered top-%zu as truth; one tag per "
        "row, so each filter passes exactly the stated share of rows; QPS best of %d passes (a "
        "pass over %.0f s is not repeated)\n",
        std::min(kFilterQueries, queries), kK, kPasses, kLongPass);
    std::vector<std::string> h = {"pass", "method"};
    for (std::uint32_t ef : kFilterEfs) {
      h.push_back(format("recall ef=%u", ef));
      h.push_back(format("QPS ef=%u", ef));
    }
    Table filt(h);
    double last = -1;
    for (const FilterRow& f : r.filter) {
      if (last >= 0 && f.selectivity != last) filt.rule();
      last = f.selectivity;
      std::vector<std::string> row = {format("%g%%", 100 * f.selectivity), f.method};
      for (std::size_t i = 0; i < kFilterEfs.size(); ++i) {
        row.push_back(pct(f.recall[i]));
        row.push_back(format("%.0f", f.qps[i]));
      }
      filt.row(row);
    }
    filt.print();
    std::printf("  hnswlib filter in search: %s\n", bench::Hnswlib::kFilterMethod);
    std::printf(
        "  hnswlib post-filter: stock searchKnn(q, ef) with ef = the row's ef, then the "
        "first %zu that pass\n",
        kK);
  }
  std::fflush(stdout);
}

void print_targets(const std::vector<DatasetResult>& results) {
  std::printf("\n== targets (ours vs hnswlib, computed from the numbers above) ==\n");
  Table t({"target", "dataset", "ours", "hnswlib", "ours/hnswlib", "result"});
  struct Verdict {
    const char* name;  // short, for the table
    const char* text;  // the target, for the summary
    bool pass = true;
    bool any = false;
  };
  Verdict build{"build", "build time <= hnswlib's (wall clock, 1 and 2 threads)"},
      qps{"QPS@0.95",
          "QPS at the smallest ef reaching recall@10 >= 0.95 >= hnswlib's, every dataset"},
      mem{"memory", "memory per vector (RSS delta) <= hnswlib's"},
      filt{"filtered",
           "filtered recall@10 >= 0.95 wherever hnswlib's filtered search is below 0.95"};
  auto add = [&](Verdict& v, const std::string& dataset, const std::string& ours,
                 const std::string& theirs, const std::string& rat, bool pass) {
    v.any = true;
    v.pass = v.pass && pass;
    t.row({v.name, dataset, ours, theirs, rat, pass ? "PASS" : "MISS"});
  };
  for (const DatasetResult& r : results) {
    const LibResult& o = r.lib[kOurs];
    const LibResult& h = r.lib[kHnswlib];
    if (!std::isnan(o.build1))
      add(build, std::string(r.spec->name) + " 1t",
          secs(o.build1) + " s (cpu " + secs(o.cpu1) + ")",
          secs(h.build1) + " s (cpu " + secs(h.cpu1) + ")",
          ratio(o.build1, h.build1) + " (cpu " + ratio(o.cpu1, h.cpu1) + ")", o.build1 <= h.build1);
    if (!std::isnan(o.build2))
      add(build, std::string(r.spec->name) + " 2t", secs(o.build2) + " s", secs(h.build2) + " s",
          ratio(o.build2, h.build2), o.build2 <= h.build2);
  }
  t.rule();
  for (const DatasetResult& r : results) {
    const LibResult& o = r.lib[kOurs];
    const LibResult& h = r.lib[kHnswlib];
    int oi = o.first_ef_at_target(), hi = h.first_ef_at_target();
    auto at = [](const LibResult& l, int i) {
      return i < 0 ? format("never (%.3f at ef=%u)", l.recall.back(), kEfs.back())
                   : format("%.0f (ef=%u)", l.qps[i], kEfs[i]);
    };
    if (oi < 0 && hi < 0) {
      t.row({qps.name, r.spec->name, at(o, oi), at(h, hi), "-", "n/a"});
      continue;
    }
    bool pass = oi >= 0 && (hi < 0 || o.qps[oi] >= h.qps[hi]);
    add(qps, r.spec->name, at(o, oi), at(h, hi),
        oi >= 0 && hi >= 0 ? ratio(o.qps[oi], h.qps[hi]) : "-", pass);
  }
  t.rule();
  for (const DatasetResult& r : results) {
    const LibResult& o = r.lib[kOurs];
    const LibResult& h = r.lib[kHnswlib];
    add(mem, r.spec->name, format("%.0f B", o.rss_per_vector), format("%.0f B", h.rss_per_vector),
        ratio(o.rss_per_vector, h.rss_per_vector), o.rss_per_vector <= h.rss_per_vector);
  }
  bool any_filter = false;
  for (const DatasetResult& r : results) {
    if (r.filter.empty()) continue;
    if (!any_filter) t.rule();
    any_filter = true;
    for (std::size_t i = 0; i < r.filter.size(); i += 4) {
      const FilterRow& ours = r.filter[i];        // tag_filter
      const FilterRow& theirs = r.filter[i + 2];  // hnswlib filter in search
      for (std::size_t e = 0; e < kFilterEfs.size(); ++e) {
        std::string where =
            format("%s %g%% ef=%u", r.spec->name, 100 * ours.selectivity, kFilterEfs[e]);
        if (theirs.recall[e] >= kTargetRecall) {
          t.row({filt.name, where, pct(ours.recall[e]), pct(theirs.recall[e]), "-",
                 "n/a (hnswlib >= 0.95)"});
          continue;
        }
        add(filt, where, pct(ours.recall[e]), pct(theirs.recall[e]), "-",
            ours.recall[e] >= kTargetRecall);
      }
    }
  }
  t.print();
  std::printf("\nsummary\n");
  for (const Verdict* v : {&build, &qps, &mem, &filt}) {
    const char* result = !v->any ? "n/a" : v->pass ? "PASS" : "MISS";
    std::printf("  [%s] %s\n", result, v->text);
  }
  std::printf("  (filtered: ours = tag_filter; hnswlib = %s)\n", bench::Hnswlib::kFilterMethod);
  std::fflush(stdout);
}

void print_header(bool quick) {
  struct utsname u {};
  uname(&u);
  std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
  std::printf(
      "bench_hnsw: our HNSW core vs hnswlib and FAISS IndexHNSWFlat, measured in the same run%s\n",
      quick ? " (--quick: every dataset and query set 10x smaller)" : "");
  std::printf("  date:      %s\n", date);
  std::printf("  machine:   %u cores (%s), %s %s, load average at start: %s\n",
              std::thread::hardware_concurrency(), read_cpu_model().c_str(), u.sysname, u.release,
              read_first_line("/proc/loadavg").c_str());
  std::printf(
      "  ours:      llmspell_core, -O3 without -march; distance kernels dispatched at run "
      "time: %s\n",
      llmspell::vector::kernel_name());
  std::printf(
      "  hnswlib:   %s (Debian libhnswlib-dev, header-only), compiled into this binary with "
      "-O3 -march=native: its SIMD is picked at compile time, here %s\n",
      LLMSPELL_HNSWLIB_VERSION, hnswlib_simd());
  std::printf("  FAISS:     %d.%d.%d (Debian libfaiss-dev, its own build flags), IndexHNSWFlat\n",
              FAISS_VERSION_MAJOR, FAISS_VERSION_MINOR, FAISS_VERSION_PATCH);
  std::printf("  compiler:  g++ %s\n", __VERSION__);
  std::printf("  params:    M=%u, ef_construction=%u, k=%zu, ef_search in {10,20,40,80,160,320}\n",
              kM, kEfConstruction, kK);
  std::printf(
      "  builds:    1 thread (ours add_batch threads=1, hnswlib addPoint loop, FAISS "
      "omp_set_num_threads(1)) and 2 threads (add_batch threads=2, addPoint from 2 "
      "std::threads, omp_set_num_threads(2)); each timed once\n");
  std::printf(
      "  search:    one thread; ours and hnswlib one query per call, FAISS one batched call "
      "on one OpenMP thread; all queries per pass, best of %d passes, passes interleaved\n",
      kPasses);
  std::printf(
      "  memory:    RSS delta (/proc/self/statm) across the build that is searched (1 thread; "
      "2 for the cosine block) after malloc_trim, / n: the same method for all three; includes "
      "each library's own copy "
      "of the vectors. self-reported: ours memory_bytes(), hnswlib and FAISS estimated "
      "from their fields\n");
  std::printf(
      "  data:      generated in code from fixed seeds (test/bench/datasets.h). 'clustered' "
      "is a Gaussian mixture whose points vary along 16 latent directions per cluster plus "
      "small noise: a low intrinsic dimension whatever d is, which is what real embeddings "
      "look like. 'uniform' is i.i.d. uniform coordinates, the hard case. Queries: same "
      "distribution, another seed. Truth: exact top-%zu by brute force\n",
      kK);
  std::fflush(stdout);
}

void usage(std::FILE* out) {
  std::fprintf(
      out,
      "usage: bench_hnsw [--dataset NAME[,NAME...]]... [--quick] [--list] [--kernels NAME]\n"
      "  --dataset  run only these datasets (default: all), in the order given below\n"
      "  --quick    every dataset and query set 10x smaller: a smoke run\n"
      "  --list     print the dataset names\n"
      "  --kernels  our distance kernels: avx512f, avx2-fma or portable (default: widest)\n"
      "datasets:");
  for (const Spec& s : kSpecs) std::fprintf(out, " %s", s.name);
  std::fprintf(out, "\n");
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::vector<std::string> wanted;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    if (arg == "--quick") {
      quick = true;
      continue;
    }
    if (arg == "--list") {
      for (const Spec& s : kSpecs) std::printf("%s\n", s.name);
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    }
    if (arg == "--kernels" && i + 1 < argc) {
      std::string name = argv[++i];
      if (!llmspell::vector::select_kernels(name)) {
        std::fprintf(stderr, "bench_hnsw: kernels '%s' not available here\n", name.c_str());
        return 2;
      }
      continue;
    }
    if (arg == "--dataset" && i + 1 < argc) {
      value = argv[++i];
    } else if (arg.rfind("--dataset=", 0) == 0) {
      value = arg.substr(10);
    } else {
      std::fprintf(stderr, "bench_hnsw: unknown argument '%s'\n", arg.c_str());
      usage(stderr);
      return 2;
    }
    for (std::size_t start = 0; start <= value.size();) {
      std::size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      std::string name = value.substr(start, comma - start);
      bool known = false;
      for (const Spec& s : kSpecs) known = known || name == s.name;
      if (!known) {
        std::fprintf(stderr, "bench_hnsw: unknown dataset '%s'\n", name.c_str());
        usage(stderr);
        return 2;
      }
      wanted.push_back(name);
      start = comma + 1;
    }
  }

  // A fixed mmap threshold (glibc otherwise raises it as large blocks are freed) sends every large
  // block to mmap, which free() returns to the kernel: RSS deltas then measure each index alone.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  omp_set_num_threads(1);

  print_header(quick);
  std::vector<DatasetResult> results;
  for (const Spec& s : kSpecs) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), s.name) == wanted.end())
      continue;
    auto t0 = Clock::now();
    Runner runner(s, quick);
    results.push_back(runner.run());
    print_dataset(results.back(), quick ? kQueries / 10 : kQueries);
    progress("%s: done in %.0f s", s.name, seconds_since(t0));
  }
  print_targets(results);
  std::printf("  load average at end: %s\n", read_first_line("/proc/loadavg").c_str());
  progress("all done in %.0f s", seconds_since(g_start));
  return 0;
}
