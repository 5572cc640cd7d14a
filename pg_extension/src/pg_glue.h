// The one place PostgreSQL headers enter C++. Everything the backend calls is declared through
// LLMSPELL_PG_FUNCTION so it has C linkage and stays visible although the library is built with
// hidden visibility.
#pragma once

#define PGDLLEXPORT __attribute__((visibility("default")))

extern "C" {
#include "postgres.h"

#include "fmgr.h"
}

#define LLMSPELL_PG_FUNCTION(name) \
  extern "C" {                     \
  PG_FUNCTION_INFO_V1(name);       \
  }                                \
  extern "C" PGDLLEXPORT Datum name(PG_FUNCTION_ARGS)
