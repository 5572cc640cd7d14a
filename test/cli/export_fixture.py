#!/usr/bin/env python3
"""SQL that fills all 15 llmspell tables with the same generated content on either backend.

    export_fixture.py sqlite|postgres [--big FILE] > fill.sql

Every column type is covered: unicode text and ids, NULLs, empty and large JSON (with number
spellings jsonb normalises), binary values (empty, every byte), vectors of 384/768/1536/3072
dimensions with arbitrary float32 values, bi-temporal versions with closed and open intervals and
-infinity, workflows in every status. --big FILE adds an artifact whose content is FILE (read by
the server: readfile() in sqlite3, pg_read_binary_file() in PostgreSQL). Both backends' exports of
this content must be byte-identical.
"""
import argparse
import json
import random
import struct

ap = argparse.ArgumentParser()
ap.add_argument("backend", choices=["sqlite", "postgres"])
ap.add_argument("--big")
ap.add_argument("--big-size", type=int, default=0)
ap.add_argument("--big-hash", default="")
args = ap.parse_args()
PG = args.backend == "postgres"
rnd = random.Random(8)
INF, NINF = "inf", "-inf"
BASE = 1735689600_000000  # 2025-01-01 UTC in microseconds


def text(s):
    return "'" + s.replace("'", "''") + "'"


def null_or(v, f):
    return "NULL" if v is None else f(v)


def ts(us):
    if us == INF:
        return "'infinity'" if PG else "9223372036854775807"
    if us == NINF:
        return "'-infinity'" if PG else "-9223372036854775808"
    if not PG:
        return str(us)
    import datetime
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
    return "'" + d.strftime("%Y-%m-%d %H:%M:%S.%f") + "+00'"


def blob(b):
    return ("'\\x" + b.hex() + "'::bytea") if PG else ("X'" + b.hex() + "'")


def jsn(s):
    return text(s) + ("::jsonb" if PG else "")


def boolean(v):
    return ("true" if v else "false") if PG else ("1" if v else "0")


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def vector(values):
    if PG:
        return "'[" + ",".join("%.9g" % v for v in values) + "]'"
    return "X'" + struct.pack("<%df" % len(values), *values).hex() + "'"


out = []
emit = out.append
if PG:
    emit("SET search_path = llmspell, public;")
emit("BEGIN;")

tenants = ["acme", "globex", "tenant-ünï-😀"]
jsons = ["{}", '{"a": 1, "b": [1, 2.50, -0, 1e3, 1.5E-3], "c": {"d": null, "e": true}}',
         '{"unicode": "héllo wörld ✓ 😀", "esc": "tab\\there \\"quoted\\" \\\\ \\n \\u0001 /"}',
         '{"zz": 1, "a": 2, "mm": {"y": [], "x": {}}}']
for dim in (384, 768, 1536, 3072):
    for t in tenants:
        for k in range(3):
            vals = [f32(rnd.uniform(-1, 1) * 10 ** rnd.randint(-8, 3)) for _ in range(dim)]
            vid = ["doc-%d" % k, "ïd 'quoted' %d" % k, "😀-%d" % k][k]
            emit("INSERT INTO embeddings_%d (id, tenant_id, scope, embedding, metadata, created_at, "
                 "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s);" % (
                     dim, text(vid), text(t), text(["", "session:1", "agent/ü"][k]),
                     ("%s::vector" % vector(vals)) if PG else vector(vals), jsn(jsons[k]),
                     ts(BASE + k * 1000001), ts(BASE + k * 2000003 + 7)))

# Bi-temporal graph: a closed and an open version, -infinity, closed valid time.
t1, t2, t3 = BASE + 10_000_000, BASE + 20_000_000, BASE + 30_000_000
ents = [("e1", "person", "Ada", '{"age": 36}', t1, INF, t1, t2),
        ("e1", "person", "Ada L.", '{"age": 37, "tags": ["a", "b"]}', t1, INF, t2, INF),
        ("e2", "place", "Zürich ✓", "{}", NINF, INF, t1, INF),
        ("e3", "thing", "", '{"x": {"y": {"z": [1, 2, {"w": "v"}]}}}', t1, t3, t1, INF)]
for t in tenants[:2]:
    for (eid, typ, name, props, vs, ve, tts, tte) in ents:
        emit("INSERT INTO graph_entities (tenant_id, entity_id, entity_type, name, properties, "
             "valid_time_start, valid_time_end, transaction_time_start, transaction_time_end, "
             "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s);" % (
                 text(t), text(eid), text(typ), text(name), jsn(props), ts(vs), ts(ve), ts(tts),
                 ts(tte), ts(tts + 5)))
    rels = [("r1", "e1", "e2", "lives_in", "{}", t1, INF, t1, t2),
            ("r1", "e1", "e2", "lives_in", '{"since": 2020}', t1, INF, t2, INF),
            ("r2", "e2", "e3", "contains", '{"w": 0.75}', t1, t3, t1, INF)]
    for (rid, f, to, typ, props, vs, ve, tts, tte) in rels:
        emit("INSERT INTO graph_relationships (tenant_id, relationship_id, from_entity, to_entity, "
             "relationship_type, properties, valid_time_start, valid_time_end, "
             "transaction_time_start, transaction_time_end, created_at) VALUES "
             "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s);" % (
                 text(t), text(rid), text(f), text(to), text(typ), jsn(props), ts(vs), ts(ve),
                 ts(tts), ts(tte), ts(tts + 9)))

for t in tenants:
    for i, (scope, key, value, freq) in enumerate([("s", "k", "v1", 1), ("s", "k", "v2", 5),
                                                   ("ü", "ключ", "значение", 3)]):
        emit("INSERT INTO procedural_patterns VALUES (%s, %s, %s, %s, %d, %s, %s, %s, %s);" % (
            text(t), text(scope), text(key), text(value), freq, ts(BASE + i), ts(BASE + i + 100),
            ts(BASE), ts(BASE + 200)))

large = json.dumps({"items": [{"i": i, "s": "x" * 50, "f": i / 7} for i in range(8000)]},
                   ensure_ascii=False)
for i, (state, sv, dv) in enumerate([(large, 1, 1), ("[1, 2, 3]", 2, 17), ('"just a string"', 1, 2),
                                     ("null", 3, 1)]):
    emit("INSERT INTO agent_states VALUES (%s, %s, %s, %s, %s, %d, %d, %s, %s);" % (
        text(tenants[i % 2]), text("agent-%d" % i), text("planner"), jsn(state),
        text("%064x" % (i * 12345 + 1)), sv, dv, ts(BASE + i), ts(BASE + i + 1)))

for t in tenants:
    for i, v in enumerate([b"", bytes(range(256)), "ünïcode".encode(), b"\x00" * 1000]):
        emit("INSERT INTO kv_store VALUES (%s, %s, %s, %s, %s, %s);" % (
            text(t), text(["a", "a/b", "a/b/ü", "Z"][i]), blob(v), jsn(["{}", jsons[1]][i % 2]),
            ts(BASE + i), ts(BASE + i * 3)))

wf = [("pending", None, None, None), ("running", BASE + 5, None, None),
      ("completed", BASE + 5, BASE + 90, None), ("failed", BASE + 5, BASE + 50, "boom: ✗ 'x'"),
      ("cancelled", None, BASE + 7, None)]
for i, (status, started, completed, err) in enumerate(wf):
    upd = BASE + 1000 + i
    emit("INSERT INTO workflow_states VALUES (%s, %s, %s, %s, %d, %s, %s, %s, %s, %s, %s);" % (
        text("acme"), text("wf-%d" % i), text("ingest"), text(status), i, jsn(jsons[i % 4]),
        null_or(err, text), null_or(started, ts), null_or(completed, ts), ts(BASE), ts(upd)))
    if not PG and status != "pending":  # the insert trigger's own UPDATE moved updated_at
        emit("UPDATE workflow_states SET updated_at = %s WHERE tenant_id = 'acme' AND "
             "workflow_id = 'wf-%d';" % (ts(upd), i))

sessions = [("acme", "s1", "active", "First", BASE + 86400_000000), ("acme", "s2", "archived", None, None),
            ("globex", "s1", "expired", "ü", BASE - 5)]
for i, (t, sid, status, name, exp) in enumerate(sessions):
    emit("INSERT INTO sessions VALUES (%s, %s, %s, %s, %s, %s, 0, %s, %s, %s, %s);" % (
        text(t), text(sid), text(status), null_or(name, text), jsn(jsons[i % 4]),
        jsn(["{}", "[]", '"s"'][i]), null_or(exp, ts), ts(BASE + 3), ts(BASE), ts(BASE + 4 + i)))

contents = [("acme", "%064x" % 1, b"hello", 5, False), ("acme", "%064x" % 2, b"", 0, False),
            ("acme", "%064x" % 3, b"\x1f\x8b compressed", 4096, True),
            ("globex", "%064x" % 1, bytes(range(256)) * 4, 1024, False)]
for (t, h, data, size, comp) in contents:
    emit("INSERT INTO artifact_content VALUES (%s, %s, %s, %d, %s, 0, %s);" % (
        text(t), text(h), blob(data), size, boolean(comp), ts(BASE)))
if args.big:
    read = "pg_read_binary_file(%s)" % text(args.big) if PG else "readfile(%s)" % text(args.big)
    emit("INSERT INTO artifact_content VALUES ('acme', %s, %s, %d, %s, 0, %s);" % (
        text(args.big_hash), read, args.big_size, boolean(False), ts(BASE)))
arts = [("acme", "a1", "s1", "%064x" % 1), ("acme", "a2", "s1", "%064x" % 1),
        ("acme", "a3", "s2", "%064x" % 2), ("acme", "a4", "s2", "%064x" % 3),
        ("globex", "a1", "s1", "%064x" % 1)]
if args.big:
    arts.append(("acme", "big", "s2", args.big_hash))
for i, (t, aid, sid, h) in enumerate(arts):
    size = args.big_size if aid == "big" else 5
    emit("INSERT INTO artifacts VALUES (%s, %s, %s, %s, 'file', 'text/plain', %s, %d, %s, %s, %s);"
         % (text(t), text(aid), text(sid), text("näme %d.txt" % i), text(h), size,
            jsn(jsons[i % 4]), ts(BASE + i), ts(BASE + i + 1)))
for i, (t, sid, *_rest) in enumerate(sessions):  # the artifact triggers moved updated_at
    emit("UPDATE sessions SET updated_at = %s WHERE tenant_id = %s AND session_id = %s "
         "AND updated_at <> %s;" % (ts(BASE + 4 + i), text(t), text(sid), ts(BASE + 4 + i)))

for i in range(12):
    t = tenants[i % 3]
    emit("INSERT INTO event_log VALUES (%s, %s, %s, %s, %s, %d, %s, %s, %s);" % (
        text(t), text("ev-%02d" % i), text(["agent.start", "agent.stop", "tool.call"][i % 3]),
        null_or(None if i % 4 == 0 else "corr-%d" % (i % 2), text),
        ts(BASE + i * 2_629_800_000_000 - 40_000_000_000_000), 100 + i * 7,
        null_or(None if i % 5 == 0 else "src", text), jsn(jsons[i % 4]), ts(BASE + i)))

for i in range(4):
    emit("INSERT INTO hook_history VALUES (%s, %s, %s, %s, %s, %s, %s, %d, %s, %s, %d, %s, %s, %s, "
         "%s, %d, %s);" % (
             text(tenants[i % 3]), text("ex-%d" % i), text("hook-%d" % (i % 2)), text("pre_tool"),
             null_or(None if i == 0 else "corr", text), blob(bytes([i]) * (i * 33)),
             boolean(i % 2 == 0), i * 100, jsn(jsons[i]), ts(BASE + i * 1000), i * 11,
             null_or(None if i == 1 else "agent", text), null_or(None if i == 2 else "c-%d" % i, text),
             boolean(i == 3), jsn(["[]", '["a", "ü"]', "[1, {\"k\": null}]", "[]"][i]), i - 1,
             ts(BASE + i)))

emit("COMMIT;")
print("\n".join(out))
