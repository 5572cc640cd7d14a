// A predicate evaluated during traversal: nodes it rejects are still walked through (they keep
// the graph connected) but never returned. A filter that can count and list its nodes lets the
// search switch to an exact scan when it passes very few of them.
#pragma once

#include <cstdint>
#include <functional>

#include "hnsw/types.h"

namespace llmspell::hnsw {

class Filter {
 public:
  virtual ~Filter() = default;
  virtual bool accepts(NodeId node) const = 0;
  // How many nodes pass, when known exactly and cheaply; negative when unknown.
  virtual std::int64_t count() const { return -1; }
  // Calls fn for every passing node. Only called when count() >= 0.
  virtual void for_each(const std::function<void(NodeId)>& fn) const { (void)fn; }
};

}  // namespace llmspell::hnsw
