// The property-based oracle: random histories of writes applied to a system under test (the core
// over its in-memory store, or a database host) and to the naive Model, with every read compared on
// a grid of (valid, transaction) points after each write. Answers recorded for past transaction
// points must never change later (until a compaction removes what they showed).
#pragma once

#include <gtest/gtest.h>

#include <random>

#include "temporal_model.h"

namespace llmspell::temporal::testing {

inline constexpr Micros kDay = 86'400'000'000LL;
inline constexpr Micros kEpoch2024 = 1'704'067'200'000'000LL;

struct OracleOptions {
  unsigned seed = 1;
  int steps = 60;
  int entities = 6;
  int relationships = 8;
  int points_per_step = 12;  // random (valid, tx) points checked after each write
};

class Oracle {
 public:
  Oracle(GraphApi& sut, OracleOptions o) : sut_(sut), o_(o), rng_(o.seed) {}

  void run() {
    for (int step = 0; step < o_.steps; ++step) {
      std::string what = write_step();
      SCOPED_TRACE("seed " + std::to_string(o_.seed) + " step " + std::to_string(step) + ": " +
                   what);
      check_points();
      if (::testing::Test::HasFailure()) return;
    }
    recheck_recorded();
  }

 private:
  std::string eid(int i) { return "e" + std::to_string(i); }
  std::string rid(int i) { return "r" + std::to_string(i); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng_)];
  }
  int upto(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  Micros valid_point() { return kEpoch2024 + upto(10) * kDay; }
  Interval valid_range() {
    Micros a = valid_point();
    if (upto(3) == 0) return {a, kInfinity};
    Micros b = valid_point();
    if (b == a) b = a + kDay;
    return {std::min(a, b), std::max(a, b)};
  }
  std::string props() {
    static const std::vector<std::string> choices = {
        "{}", R"({"city": "Lyon"})", R"({"city": "Paris", "age": 41})",
        R"({"tags": ["a", "b"], "age": 41.0})", R"({"q": "it's \"quoted\""})"};
    return pick(choices);
  }
  std::string entity_type() { return pick(std::vector<std::string>{"person", "place", "org"}); }
  std::string rel_type() {
    return pick(std::vector<std::string>{"knows", "works_at", "o'brien \"x\""});
  }

  void expect(const Outcome& sut, const Outcome& model, const std::string& what) {
    EXPECT_EQ(outcome_text(sut), outcome_text(model)) << what;
    if (sut.tx) {
      EXPECT_GT(*sut.tx, last_tx_) << "transaction times must increase: " << what;
      last_tx_ = *sut.tx;
      txs_.push_back(*sut.tx);
    }
  }

  // One random write on both sides; returns a description.
  std::string write_step() {
    int op = upto(100);
    Micros dummy = last_tx_ + 1;
    auto tx_of = [&](const Outcome& o) { return o.tx.value_or(dummy); };
    using K = Model::Kind;
    if (op < 22) {
      std::string id = eid(upto(o_.entities)), type = entity_type(), name = "n" + id, p = props();
      Interval r = valid_range();
      Outcome s = sut_.add_entity(id, type, name, p, r.start, r.end);
      Outcome m = model_.add(K::kEntity, id, {type, name, json::canonical(p, "p", true), "", ""}, r,
                             tx_of(s));
      std::string what = "add_entity " + id;
      expect(s, m, what);
      return what;
    }
    if (op < 42) {
      std::string id = eid(upto(o_.entities));
      std::optional<std::string> type, name, p;
      if (upto(3) == 0) type = entity_type();
      if (upto(3) == 0) name = "m" + std::to_string(upto(3));
      if (!type && !name) p = props();
      Interval r = valid_range();
      Outcome s = sut_.update_entity(id, type, name, p, r.start, r.end);
      std::optional<std::string> cp;
      if (p) cp = json::canonical(*p, "p", true);
      Outcome m = model_.change(
          K::kEntity, id,
          [&](Model::Data d) {
            if (type) d.type = *type;
            if (name) d.name = *name;
            if (cp) d.props = *cp;
            return d;
          },
          r, tx_of(s));
      std::string what = "update_entity " + id + " from " + time_text(r.start);
      expect(s, m, what);
      return what;
    }
    if (op < 48) {
      std::string id = eid(upto(o_.entities));
      Micros at = valid_point();
      Outcome s = sut_.end_entity(id, at);
      Outcome m = model_.end(K::kEntity, id, at, tx_of(s));
      expect(s, m, "end_entity " + id);
      return "end_entity " + id;
    }
    if (op < 52) {
      std::string id = eid(upto(o_.entities));
      Outcome s = sut_.retract_entity(id);
      Outcome m = model_.retract(K::kEntity, id, tx_of(s));
      expect(s, m, "retract_entity " + id);
      return "retract_entity " + id;
    }
    if (op < 75) {
      std::string id = rid(upto(o_.relationships)), from = eid(upto(o_.entities)),
                  to = eid(upto(o_.entities)), type = rel_type(), p = props();
      Interval r = valid_range();
      Outcome s = sut_.add_relationship(id, from, to, type, p, r.start, r.end);
      Outcome m = model_.add(K::kRelationship, id,
                             {type, "", json::canonical(p, "p", true), from, to}, r, tx_of(s));
      std::string what = "add_relationship " + id + " " + from + "->" + to;
      expect(s, m, what);
      return what;
    }
    if (op < 85) {
      std::string id = rid(upto(o_.relationships));
      std::optional<std::string> type, p;
      if (upto(2) == 0)
        type = rel_type();
      else
        p = props();
      Interval r = valid_range();
      Outcome s = sut_.update_relationship(id, type, p, r.start, r.end);
      std::optional<std::string> cp;
      if (p) cp = json::canonical(*p, "p", true);
      Outcome m = model_.change(
          K::kRelationship, id,
          [&](Model::Data d) {
            if (type) d.type = *type;
            if (cp) d.props = *cp;
            return d;
          },
          r, tx_of(s));
      expect(s, m, "update_relationship " + id);
      return "update_relationship " + id;
    }
    if (op < 91) {
      std::string id = rid(upto(o_.relationships));
      Micros at = valid_point();
      Outcome s = sut_.end_relationship(id, at);
      Outcome m = model_.end(K::kRelationship, id, at, tx_of(s));
      expect(s, m, "end_relationship " + id);
      return "end_relationship " + id;
    }
    if (op < 96) {
      std::string id = rid(upto(o_.relationships));
      Outcome s = sut_.retract_relationship(id);
      Outcome m = model_.retract(K::kRelationship, id, tx_of(s));
      expect(s, m, "retract_relationship " + id);
      return "retract_relationship " + id;
    }
    if (txs_.size() < 4) return "nothing";
    Micros before = txs_[txs_.size() / 2] + (upto(2) == 0 ? 0 : 1);
    EXPECT_EQ(sut_.compact_history(before), model_.compact(before)) << "compact_history";
    compacted_before_ = std::max(compacted_before_, before);
    return "compact_history " + time_text(before);
  }

  AsOf random_point() {
    AsOf at;
    at.valid = valid_point() + (upto(2) == 0 ? kDay / 2 : 0);
    if (txs_.empty() || upto(4) == 0) {
      at.tx = kCurrent;
    } else {
      at.tx = pick(txs_) - upto(2);
    }
    return at;
  }

  std::vector<std::string> types() {
    switch (upto(4)) {
      case 0:
        return {"knows"};
      case 1:
        return {"works_at", "o'brien \"x\""};
      default:
        return {};
    }
  }

  std::string point_text(const AsOf& at) {
    return "(valid " + time_text(at.valid) + ", tx " + time_text(at.tx) + ")";
  }

  void compare(const std::vector<std::string>& sut, const std::vector<std::string>& model,
               const std::string& what, const AsOf& at) {
    EXPECT_EQ(join(sut, "\n"), join(model, "\n")) << what << " at " << point_text(at);
  }

  // Remembers a get_entity answer at a past transaction point, to ask again later.
  void record(const std::string& id, const AsOf& at, std::vector<std::string> answer) {
    if (at.tx != kCurrent && at.tx <= last_tx_ && recorded_.size() < 500)
      recorded_.push_back({id, at, std::move(answer)});
  }

  void check_points() {
    for (int i = 0; i < o_.points_per_step; ++i) {
      AsOf at = random_point();
      std::string id = eid(upto(o_.entities));
      auto got = sut_.get_entity(id, at);
      compare(got, model_.get_entity(id, at), "get_entity " + id, at);
      record(id, at, std::move(got));
      Direction d = static_cast<Direction>(upto(3));
      auto ty = types();
      compare(sut_.neighbours(id, d, ty, at), model_.neighbours(id, d, ty, at),
              "neighbours " + id + " " + direction_name(d) + " [" + join(ty, ",") + "]", at);
      std::vector<std::string> starts{id};
      if (upto(3) == 0) starts.push_back(eid(upto(o_.entities)));
      int depth = upto(4);
      std::int64_t budget = upto(3) == 0 ? 1 + upto(4) : 1000;
      compare(sut_.traverse(starts, depth, d, ty, budget, at),
              model_.traverse(starts, depth, d, ty, budget, at),
              "traverse " + join(starts, ",") + " depth " + std::to_string(depth) + " " +
                  direction_name(d) + " budget " + std::to_string(budget) + " [" + join(ty, ",") +
                  "]",
              at);
      if (i % 4 == 0) {
        std::optional<std::string> type, filter;
        if (upto(2) == 0) type = entity_type();
        if (upto(2) == 0)
          filter = pick(std::vector<std::string>{R"({"age": 41})", R"({"tags": ["b"]})",
                                                 R"({"city": "Lyon"})", "{}"});
        compare(sut_.query_entities(type, filter, at), model_.query_entities(type, filter, at),
                "query_entities " + type.value_or("*") + " " + filter.value_or("-"), at);
      }
    }
    std::string id = eid(upto(o_.entities));
    EXPECT_EQ(join(sut_.entity_history(id), "\n"), join(model_.entity_history(id), "\n"))
        << "entity_history " << id;
  }

  void recheck_recorded() {
    for (auto& r : recorded_) {
      if (r.at.tx < compacted_before_) continue;  // compaction removed what it showed
      EXPECT_EQ(join(sut_.get_entity(r.id, r.at), "\n"), join(r.answer, "\n"))
          << "the answer for a past transaction point changed: get_entity " << r.id << " at "
          << point_text(r.at);
    }
  }

  struct Recorded {
    std::string id;
    AsOf at;
    std::vector<std::string> answer;
  };

  GraphApi& sut_;
  OracleOptions o_;
  std::mt19937 rng_;
  Model model_;
  Micros last_tx_ = kMinusInfinity;
  Micros compacted_before_ = kMinusInfinity;
  std::vector<Micros> txs_;
  std::vector<Recorded> recorded_;
};

}  // namespace llmspell::temporal::testing
