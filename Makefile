# Entry points: make, make install, make test, make bench, make format, make demo.
# CMake builds the core, the SQLite module and the tests; PGXS builds the PostgreSQL extension.
#   make test SANITIZE=1   runs the core and SQLite tests under AddressSanitizer + UBSan

SANITIZE ?= 0
JOBS ?= 2
BUILD := build
ifeq ($(SANITIZE),1)
TEST_BUILD := build-asan
else
TEST_BUILD := build
endif
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
PG_CONFIG ?= pg_config

.PHONY: all core pg install install-cli test test-unit test-pg test-cli bench format demo clean

all: core pg

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build-asan/Makefile: CMakeLists.txt
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLLMSPELL_SANITIZE=ON

build-bench/Makefile: CMakeLists.txt
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLLMSPELL_BENCH=ON

core: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

# PGXS builds in-tree: the lock keeps concurrent builds (several checkouts' tools) from mixing objects.
PG_LOCK := flock /tmp/llmspell-pgxs.lock

pg: core
	$(PG_LOCK) $(MAKE) -C pg_extension PG_CONFIG=$(PG_CONFIG) CORE_BUILD=$(CURDIR)/$(BUILD)

# PostgreSQL 15 has no per-user extension directory: installing needs root.
install: pg
	$(SUDO) $(PG_LOCK) $(MAKE) -C pg_extension PG_CONFIG=$(PG_CONFIG) CORE_BUILD=$(CURDIR)/$(BUILD) install

test-unit: $(TEST_BUILD)/Makefile
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

test-pg: install
	LLMSPELL=$(CURDIR)/$(BUILD)/cli/llmspell test/pg/run-tests

# The llmspell CLI end to end: SQLite, memory, and a throwaway PostgreSQL cluster of its own.
test-cli: install
	test/cli/run-tests $(BUILD)/cli/llmspell

test: test-unit test-pg test-cli

# The llmspell program, the SQLite module it loads and the migration files, under /usr/local.
install-cli: core
	$(SUDO) cmake --install $(BUILD)

bench: build-bench/Makefile
	cmake --build build-bench -j $(JOBS)
	build-bench/test/bench/bench_kernels
	build-bench/test/bench/bench_hnsw
	build-bench/test/bench/bench_sqlite_hnsw
	test/bench/bench_pg_hnsw.sh
	test/bench/bench_graph.sh build-bench
	test/bench/bench_export.sh build-bench/cli/llmspell

format:
	find common pg_extension/src sqlite_extension test cli -name '*.cpp' -o -name '*.h' 2>/dev/null \
	  | xargs clang-format -i

demo: core
	scripts/demo-sqlite $(BUILD)/sqlite_extension/llmspell.so

clean:
	rm -rf build build-asan build-bench
	$(MAKE) -C pg_extension clean CORE_BUILD=$(CURDIR)/$(BUILD)
