// bench_dataset: the seeded data sets of datasets.h for the PostgreSQL bench
// (bench_pg_hnsw.sh), and the in-memory core measured on exactly the same data.
//
//   bench_dataset dump [DATA] --queries-out FILE --truth-out FILE
//                      [--tenant-truth TENANT --tenant-truth-out FILE]
//       stdout: the rows as PostgreSQL COPY text, "id<TAB>tenant<TAB>[v1,...]" (id = row number,
//       from 0); FILE: "qid<TAB>[...]" (qid from 1) and "qid<TAB>{id,...}" (exact top-k ids,
//       nearest first, over all rows or over the rows of TENANT only).
//   bench_dataset core [DATA] [--m 16] [--ef-construction 64] [--threads 1,2]
//                      [--ef 10,20,40,80,160] [--seconds 3] [--clients 1,2]
//       builds the core index (common/hnsw) once per --threads value (timed; the last build is
//       kept), then per ef: recall@k over the queries and QPS with 1 and 2 searching threads
//       (each thread loops over the queries, starting at different ones, for --seconds).
//       stdout, one fact a line: "build THREADS SECONDS CPU_SECONDS", "memory BYTES",
//       "search EF RECALL CPU_US QPS_1 QPS_2 ..." (CPU_US: CPU microseconds per query of the
//       searching thread in the 1-client run, which a busy machine does not inflate).
//       --serve: then prints "ready" and keeps the index, answering each stdin line
//       "qps EF CLIENTS SECONDS" with "qps EF CLIENTS QPS CPU_US", until end of input; so that
//       bench_pg_hnsw.sh can alternate short core runs with PostgreSQL's on the same machine state.
//
// DATA: --n 100000 --dims 768 --seed 1768 --query-seed 2768 --queries 200 --k 10
//       --metric cosine|l2|ip --kind clustered|uniform
// For cosine and ip the vectors are normalised (as embeddings usually are). Every value is
// rounded to 6 significant digits, and the rounded values are what the ground truth, the core
// and PostgreSQL (which parses the same text) all use.
//
// Tenants are assigned by a seeded shuffle: "t50" owns 50% of the rows, "t10" 10%, "t1" 1%,
// "t0.1" 0.1%, "other" the rest. Progress goes to stderr.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "datasets.h"
#include "hnsw/index.h"
#include "vector/distance.h"

namespace {

namespace hn = llmspell::hnsw;
using Clock = std::chrono::steady_clock;
using Labels = std::vector<std::vector<std::uint64_t>>;

Clock::time_point g_start = Clock::now();

void progress(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void progress(const char* fmt, ...) {
  double s = std::chrono::duration<double>(Clock::now() - g_start).count();
  std::fprintf(stderr, "[bench_dataset %5.1fs] ", s);
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fputc('\n', stderr);
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "bench_dataset: %s\n", msg.c_str());
  std::exit(2);
}

struct Options {
  std::string mode;
  std::size_t n = 100000;
  std::uint32_t dims = 768;
  std::uint64_t seed = 1768;
  std::uint64_t query_seed = 2768;
  std::size_t queries = 200;
  std::size_t k = 10;
  std::string metric = "cosine";
  std::string kind = "clustered";
  std::string queries_out, truth_out, tenant_truth, tenant_truth_out;
  std::uint32_t m = 16;
  std::uint32_t ef_construction = 64;
  std::vector<unsigned> threads = {1, 2};
  std::vector<std::uint32_t> efs = {10, 20, 40, 80, 160};
  std::vector<unsigned> clients = {1, 2};
  double seconds = 3.0;
  bool serve = false;
};

std::vector<unsigned long> parse_list(const std::string& s) {
  std::vector<unsigned long> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    out.push_back(std::stoul(s.substr(pos, comma - pos)));
    pos = comma + 1;
  }
  return out;
}

Options parse(int argc, char** argv) {
  if (argc < 2) die("usage: bench_dataset dump|core [options] (see the source header)");
  Options o;
  o.mode = argv[1];
  if (o.mode != "dump" && o.mode != "core") die("unknown mode " + o.mode);
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--serve") {
      o.serve = true;
      continue;
    }
    if (i + 1 >= argc) die("missing value after " + a);
    std::string v = argv[++i];
    try {
      if (a == "--n")
        o.n = std::stoul(v);
      else if (a == "--dims")
        o.dims = static_cast<std::uint32_t>(std::stoul(v));
      else if (a == "--seed")
        o.seed = std::stoull(v);
      else if (a == "--query-seed")
        o.query_seed = std::stoull(v);
      else if (a == "--queries")
        o.queries = std::stoul(v);
      else if (a == "--k")
        o.k = std::stoul(v);
      else if (a == "--metric")
        o.metric = v;
      else if (a == "--kind")
        o.kind = v;
      else if (a == "--queries-out")
        o.queries_out = v;
      else if (a == "--truth-out")
        o.truth_out = v;
      else if (a == "--tenant-truth")
        o.tenant_truth = v;
      else if (a == "--tenant-truth-out")
        o.tenant_truth_out = v;
      else if (a == "--m")
        o.m = static_cast<std::uint32_t>(std::stoul(v));
      else if (a == "--ef-construction")
        o.ef_construction = static_cast<std::uint32_t>(std::stoul(v));
      else if (a == "--seconds")
        o.seconds = std::stod(v);
      else if (a == "--threads") {
        o.threads.clear();
        for (unsigned long t : parse_list(v)) o.threads.push_back(static_cast<unsigned>(t));
      } else if (a == "--clients") {
        o.clients.clear();
        for (unsigned long t : parse_list(v)) o.clients.push_back(static_cast<unsigned>(t));
      } else if (a == "--ef") {
        o.efs.clear();
        for (unsigned long e : parse_list(v)) o.efs.push_back(static_cast<std::uint32_t>(e));
      } else {
        die("unknown option " + a);
      }
    } catch (const std::logic_error&) {
      die("bad value for " + a + ": " + v);
    }
  }
  if (o.metric != "cosine" && o.metric != "l2" && o.metric != "ip") die("--metric cosine|l2|ip");
  if (o.kind != "clustered" && o.kind != "uniform") die("--kind clustered|uniform");
  if (o.n == 0 || o.dims == 0 || o.queries == 0 || o.k == 0) die("sizes must be positive");
  if (o.mode == "dump" && (o.queries_out.empty() || o.truth_out.empty()))
    die("dump needs --queries-out and --truth-out");
  if (!o.tenant_truth.empty() && o.tenant_truth_out.empty())
    die("--tenant-truth needs --tenant-truth-out");
  return o;
}

// ---- the data ---------------------------------------------------------------------------------

// Rounds to 6 significant digits through the same text PostgreSQL will parse.
void quantise(bench::Dataset& d) {
  char buf[32];
  for (float& x : d.data) {
    auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 6);
    std::from_chars(buf, r.ptr, x);
  }
}

struct Data {
  bench::Dataset rows, queries;
  std::vector<std::uint8_t> tenant;  // index into kTenants
};

const char* const kTenants[] = {"t50", "t10", "t1", "t0.1", "other"};
const double kTenantShare[] = {0.5, 0.1, 0.01, 0.001};

Data make_data(const Options& o) {
  progress("generating %zu x %u %s rows and %zu queries", o.n, o.dims, o.kind.c_str(), o.queries);
  Data d;
  if (o.kind == "clustered") {
    d.rows = bench::clustered(o.n, o.dims, o.seed);
    d.queries = bench::clustered(o.queries, o.dims, o.query_seed);
  } else {
    d.rows = bench::uniform(o.n, o.dims, o.seed);
    d.queries = bench::uniform(o.queries, o.dims, o.query_seed);
  }
  if (o.metric != "l2") {
    bench::normalise(d.rows);
    bench::normalise(d.queries);
  }
  quantise(d.rows);
  quantise(d.queries);
  std::vector<std::uint32_t> order(o.n);
  std::iota(order.begin(), order.end(), 0u);
  bench::Rng rng(777);
  for (std::size_t i = o.n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  d.tenant.assign(o.n, 4);
  std::size_t pos = 0;
  for (std::uint8_t t = 0; t < 4; ++t) {
    auto take = static_cast<std::size_t>(std::llround(kTenantShare[t] * static_cast<double>(o.n)));
    for (std::size_t i = 0; i < take && pos < o.n; ++i) d.tenant[order[pos++]] = t;
  }
  return d;
}

int tenant_index(const std::string& name) {
  for (int t = 0; t < 5; ++t)
    if (name == kTenants[t]) return t;
  die("unknown tenant " + name + " (t50, t10, t1, t0.1, other)");
}

// Exact top-k by the metric: for cosine on normalised copies (the rounded rows are no longer
// exactly unit length), for ip by the largest dot product, for l2 by the smallest distance.
Labels truth(const Options& o, const Data& d, int tenant) {
  bench::Dataset rows = d.rows, queries = d.queries;
  if (o.metric == "cosine") {
    bench::normalise(rows);
    bench::normalise(queries);
  }
  auto accept = [&](std::size_t i) { return tenant < 0 || d.tenant[i] == tenant; };
  return bench::exact_knn(rows, queries, o.k, o.metric != "l2", accept, 2);
}

class Writer {
 public:
  explicit Writer(std::FILE* f) : f_(f) { buf_.reserve(1 << 20); }
  ~Writer() { flush(); }
  void put(const char* s, std::size_t n) {
    buf_.append(s, n);
    if (buf_.size() >= (1 << 20)) flush();
  }
  void put(const std::string& s) { put(s.data(), s.size()); }
  void put(char c) { put(&c, 1); }
  void num(std::uint64_t v) {
    char b[24];
    auto r = std::to_chars(b, b + sizeof b, v);
    put(b, static_cast<std::size_t>(r.ptr - b));
  }
  void vec(const float* v, std::uint32_t dims) {
    char b[32];
    put('[');
    for (std::uint32_t j = 0; j < dims; ++j) {
      if (j) put(',');
      auto r = std::to_chars(b, b + sizeof b, v[j], std::chars_format::general, 6);
      put(b, static_cast<std::size_t>(r.ptr - b));
    }
    put(']');
  }
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      die("write failed");
    buf_.clear();
  }

 private:
  std::FILE* f_;
  std::string buf_;
};

std::FILE* open_out(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) die("cannot write " + path);
  return f;
}

void write_truth(const std::string& path, const Labels& t) {
  std::FILE* f = open_out(path);
  {
    Writer w(f);
    for (std::size_t q = 0; q < t.size(); ++q) {
      w.num(q + 1);
      w.put("\t{");
      for (std::size_t i = 0; i < t[q].size(); ++i) {
        if (i) w.put(',');
        w.num(t[q][i]);
      }
      w.put("}\n");
    }
  }
  if (std::fclose(f) != 0) die("cannot write " + path);
}

int dump(const Options& o) {
  Data d = make_data(o);
  {
    std::FILE* f = open_out(o.queries_out);
    {
      Writer w(f);
      for (std::size_t q = 0; q < d.queries.count; ++q) {
        w.num(q + 1);
        w.put('\t');
        w.vec(d.queries.row(q), o.dims);
        w.put('\n');
      }
    }
    if (std::fclose(f) != 0) die("cannot write " + o.queries_out);
  }
  progress("exact top-%zu of %zu queries over all rows (%s)", o.k, o.queries, o.metric.c_str());
  write_truth(o.truth_out, truth(o, d, -1));
  if (!o.tenant_truth.empty()) {
    progress("exact top-%zu over the rows of tenant %s", o.k, o.tenant_truth.c_str());
    write_truth(o.tenant_truth_out, truth(o, d, tenant_index(o.tenant_truth)));
  }
  progress("writing %zu rows as COPY text", o.n);
  {
    Writer w(stdout);
    for (std::size_t i = 0; i < o.n; ++i) {
      w.num(i);
      w.put('\t');
      w.put(kTenants[d.tenant[i]]);
      w.put('\t');
      w.vec(d.rows.row(i), o.dims);
      w.put('\n');
    }
  }
  if (std::fflush(stdout) != 0) die("write to stdout failed");
  progress("done");
  return 0;
}

// ---- the in-memory core -----------------------------------------------------------------------

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct Throughput {
  double qps;
  double cpu_us;  // CPU microseconds per query, over all threads
};

// `clients` threads, each searching the queries in a loop from its own starting point for
// `seconds`.
Throughput measure_qps(const hn::Index& index, const bench::Dataset& queries, std::size_t k,
                       std::uint32_t ef, unsigned clients, double seconds) {
  std::atomic<bool> stop{false};
  std::vector<std::size_t> done(clients, 0);
  std::vector<double> cpu(clients, 0);
  auto work = [&](unsigned c) {
    std::size_t q = (c * queries.count) / clients, count = 0;
    double cpu0 = thread_cpu_seconds();
    while (!stop.load(std::memory_order_relaxed)) {
      std::vector<hn::Result> r = index.search(queries.row(q), static_cast<std::uint32_t>(k), ef);
      if (r.empty()) std::abort();
      ++count;
      if (++q == queries.count) q = 0;
    }
    cpu[c] = thread_cpu_seconds() - cpu0;
    done[c] = count;
  };
  auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (unsigned c = 0; c < clients; ++c) pool.emplace_back(work, c);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& t : pool) t.join();
  double wall = seconds_since(t0);
  auto total = static_cast<double>(std::accumulate(done.begin(), done.end(), std::size_t{0}));
  return {total / wall, 1e6 * std::accumulate(cpu.begin(), cpu.end(), 0.0) / total};
}

// --serve: QPS runs on request, the index kept between them.
void serve(const hn::Index& index, const bench::Dataset& queries, std::size_t k) {
  std::printf("ready\n");
  std::fflush(stdout);
  std::string word;
  std::uint32_t ef = 0;
  unsigned clients = 0;
  double seconds = 0;
  while (std::cin >> word >> ef >> clients >> seconds) {
    if (word != "qps" || clients == 0) die("serve: expected \"qps EF CLIENTS SECONDS\"");
    Throughput t = measure_qps(index, queries, k, ef, clients, seconds);
    std::printf("qps %u %u %.1f %.1f\n", ef, clients, t.qps, t.cpu_us);
    std::fflush(stdout);
  }
}

int core(const Options& o) {
  Data d = make_data(o);
  progress("exact top-%zu of %zu queries (%s)", o.k, o.queries, o.metric.c_str());
  Labels exact = truth(o, d, -1);
  hn::Params p;
  p.dims = o.dims;
  p.metric = o.metric == "cosine" ? hn::Metric::kCosine
             : o.metric == "ip"   ? hn::Metric::kInnerProduct
                                  : hn::Metric::kL2;
  p.m = o.m;
  p.ef_construction = o.ef_construction;
  std::vector<std::uint64_t> labels(o.n);
  std::iota(labels.begin(), labels.end(), std::uint64_t{0});
  std::unique_ptr<hn::Index> index;
  std::printf("kernel %s\n", llmspell::vector::kernel_name());
  for (unsigned threads : o.threads) {
    index.reset();
    progress("core build: m=%u ef_construction=%u, %u thread%s", o.m, o.ef_construction, threads,
             threads == 1 ? "" : "s");
    index = std::make_unique<hn::Index>(p);
    double cpu0 = process_cpu_seconds();
    auto t0 = Clock::now();
    index->add_batch(labels.data(), d.rows.data.data(), o.n, threads);
    double s = seconds_since(t0);
    double cpu = process_cpu_seconds() - cpu0;
    progress("core build: %.2f s (%.2f s CPU)", s, cpu);
    std::printf("build %u %.3f %.3f\n", threads, s, cpu);
    std::fflush(stdout);
  }
  std::printf("memory %zu\n", index->memory_bytes());
  for (std::uint32_t ef : o.efs) {
    Labels found(o.queries);
    for (std::size_t q = 0; q < o.queries; ++q)
      for (const hn::Result& r :
           index->search(d.queries.row(q), static_cast<std::uint32_t>(o.k), ef))
        found[q].push_back(r.label);
    double rec = bench::recall(found, exact);
    std::vector<Throughput> runs;
    for (unsigned c : o.clients) {
      runs.push_back(measure_qps(*index, d.queries, o.k, ef, c, o.seconds));
      progress("core search ef=%u: recall %.4f, %u thread%s %.0f QPS, %.0f us CPU per query", ef,
               rec, c, c == 1 ? "" : "s", runs.back().qps, runs.back().cpu_us);
    }
    std::printf("search %u %.4f %.1f", ef, rec, runs.empty() ? 0.0 : runs.front().cpu_us);
    for (const Throughput& t : runs) std::printf(" %.1f", t.qps);
    std::printf("\n");
    std::fflush(stdout);
  }
  if (o.serve) serve(*index, d.queries, o.k);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  return o.mode == "dump" ? dump(o) : core(o);
}
