// Every file of the module calls SQLite through the routine table handed to the entry point
// (sqlite3ext.h turns sqlite3_* calls into lookups in it), so the module never links libsqlite3
// and works in any host that loads it. module.cpp defines the table pointer; this declares it.
#pragma once

#include <sqlite3ext.h>

SQLITE_EXTENSION_INIT3
