#!/usr/bin/env python3
"""Export and import throughput (rows/s, MB/s) and peak memory (the child's ru_maxrss from wait4)
of `llmspell storage export` / `storage import`, SQLite and PostgreSQL, at 100k and 1M rows.

    bench_export.py LLMSPELL PG_URL WORKDIR [ROWS...]

The rows: 1% embeddings_384 (indexed by HNSW during the import), the rest half event_log, half
kv_store (256-byte values), written as an export document by this script. Timings are wall-clock
on a shared machine: compare the rows of one run.
"""
import base64
import json
import os
import struct
import subprocess
import sys
import time

llmspell, pg_url, work = sys.argv[1:4]
sizes = [int(x) for x in sys.argv[4:]] or [100_000, 1_000_000]
BASE = 1735689600_000000


def ts(us):
    s = time.gmtime(us // 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", s) + ".%06dZ" % (us % 1_000_000)


def document(path, rows):
    vectors = rows // 100
    rest = rows - vectors
    with open(path, "w") as f:
        f.write('{"version": "1.0", "exported_at": "%s", "source_backend": "sqlite", '
                '"migrations": [], "tenant": null, "data": {\n' % ts(BASE))
        sections = []
        for name in ("embeddings_384", "embeddings_768", "embeddings_1536", "embeddings_3072",
                     "graph_entities", "graph_relationships", "procedural_patterns",
                     "agent_states", "kv_store", "workflow_states", "sessions",
                     "artifact_content", "artifacts", "event_log", "hook_history"):
            sections.append(name)
        for n, name in enumerate(sections):
            f.write(('' if n == 0 else ',\n') + '"%s": [' % name)
            if name == "embeddings_384":
                for i in range(vectors):
                    v = struct.pack("<384f", *[((i * 7919 + k * 104729) % 2001 - 1000) / 1000.0
                                               for k in range(384)])
                    f.write(('\n' if i == 0 else ',\n') + json.dumps({
                        "tenant_id": "t%d" % (i % 10), "id": "v%08d" % i, "scope": "",
                        "embedding": base64.b64encode(v).decode(), "metadata": {"i": i},
                        "created_at": ts(BASE + i), "updated_at": ts(BASE + i)}))
            elif name == "kv_store":
                for i in range(rest // 2):
                    f.write(('\n' if i == 0 else ',\n') + json.dumps({
                        "tenant_id": "t%d" % (i % 10), "key": "k/%08d" % i,
                        "value": base64.b64encode(bytes([i % 256]) * 256).decode(),
                        "metadata": {}, "created_at": ts(BASE + i), "updated_at": ts(BASE + i)}))
            elif name == "event_log":
                for i in range(rest - rest // 2):
                    f.write(('\n' if i == 0 else ',\n') + json.dumps({
                        "tenant_id": "t%d" % (i % 10), "event_id": "e%08d" % i,
                        "event_type": "agent.step", "correlation_id": "c%d" % (i % 1000),
                        "occurred_at": ts(BASE + i * 1000), "sequence": i + 1, "source": None,
                        "payload": {"n": i, "text": "step %d" % i},
                        "created_at": ts(BASE + i * 1000)}))
            f.write("]")
        f.write("\n}}\n")


def measure(args, env, stdout=subprocess.DEVNULL):
    start = time.monotonic()
    p = subprocess.Popen(args, env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode()
    if p.returncode != 0:
        sys.exit("bench_export: %s failed: %s" % (" ".join(args), err))
    return time.monotonic() - start, usage.ru_maxrss / 1024.0


print("storage export / import: %s" % llmspell)
print("%-10s %-7s %-10s %9s %10s %9s %8s %12s" % (
    "backend", "step", "rows", "seconds", "rows/s", "MB", "MB/s", "peak RSS MB"))
for rows in sizes:
    doc = os.path.join(work, "doc-%d.json" % rows)
    document(doc, rows)
    mb = os.path.getsize(doc) / 1e6
    for backend in ("sqlite", "postgresql"):
        env = dict(os.environ)
        if backend == "sqlite":
            db = os.path.join(work, "bench-%d.db" % rows)
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            env["DATABASE_URL"] = "sqlite:" + db
        else:
            name = "bench_%d" % rows
            subprocess.run(["psql", "-X", "-q", "-d", pg_url, "-c", "DROP DATABASE IF EXISTS " + name,
                            "-c", "CREATE DATABASE " + name], check=True)
            env["DATABASE_URL"] = pg_url.replace("/postgres?", "/%s?" % name, 1)
        subprocess.run([llmspell, "database", "migrate"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        secs, rss = measure([llmspell, "storage", "import", "--input", doc], env)
        print("%-10s %-7s %-10d %9.2f %10.0f %9.1f %8.1f %12.1f" % (
            backend, "import", rows, secs, rows / secs, mb, mb / secs, rss), flush=True)
        out = os.path.join(work, "out-%s-%d.json" % (backend, rows))
        secs, rss = measure([llmspell, "storage", "export", "--output", out], env)
        omb = os.path.getsize(out) / 1e6
        print("%-10s %-7s %-10d %9.2f %10.0f %9.1f %8.1f %12.1f" % (
            backend, "export", rows, secs, rows / secs, omb, omb / secs, rss), flush=True)
        os.remove(out)
    os.remove(doc)
