#!/usr/bin/env python3
"""`make soak-instances`: three Stockroom servers on one PostgreSQL under steady mixed traffic.

It creates a fresh `stockroom_soak` database, seeds a small shop (`stockroom seed`), starts
SOAK_INSTANCES release servers on it and sends SOAK_RATE requests a second for SOAK_MINUTES,
spread over the servers: page views of every list page and the dashboard, sales, purchases,
stock counts and, once a minute, a small CSV import (Check file, then Import). Each request has
SOAK_DEADLINE seconds; one without an answer by then counts as unfinished. Every 30 s it samples
each server's RSS. At the end it checks the ledger (on hand = sum of movements = open lots, none
negative) and prints a Markdown report for RELIABILITY.md: requests by outcome, 5xx, unfinished,
latency percentiles, and RSS per instance over time.

This is a steady rate, not a load test: it asks whether anything leaks, hangs or drifts over
half an hour, not how fast the server is (that is `make bench`).
"""

import concurrent.futures
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the Server, sign-in and HTTP helpers)

MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
RATE = float(os.environ.get("SOAK_RATE", "20"))
INSTANCES = int(os.environ.get("SOAK_INSTANCES", "3"))
DEADLINE = float(os.environ.get("SOAK_DEADLINE", "10"))
PRODUCTS = int(os.environ.get("SOAK_PRODUCTS", "2000"))
MOVEMENTS = int(os.environ.get("SOAK_MOVEMENTS", "20000"))
DB = "stockroom_soak"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
PAGES = ["/", "/inventory", "/inventory?q=rice", "/bills", "/transactions", "/expiry", "/reorder",
         "/inventory?rows=100", "/transactions.csv?kind=sale"]


def psql(url, sql):
    out = subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                         capture_output=True, text=True, check=True).stdout
    return out.strip()


class Tally:
    """Outcomes and latencies, shared by the worker threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_kind = {}
        self.latencies = []
        self.server_errors = []
        self.unfinished = []

    def add(self, kind, status, seconds, what):
        with self.lock:
            counts = self.by_kind.setdefault(kind, {})
            counts[status] = counts.get(status, 0) + 1
            self.latencies.append(seconds)
            if status == "unfinished":
                self.unfinished.append(what)
            elif isinstance(status, int) and status >= 500:
                self.server_errors.append(f"{status} {what}")


def request(tally, kind, base, path, cookie, body=None, headers=None):
    started = time.monotonic()
    try:
        status, _, _ = bench.http(base + path, body, headers, cookie, timeout=DEADLINE)
    except OSError as error:  # a timeout or a refused connection
        status = "unfinished" if "timed out" in str(error) else f"error: {error}"
    tally.add(kind, status, time.monotonic() - started, f"{kind} {path} on {base}")
    return status


def sale_body(name):
    return urllib.parse.urlencode({
        "key": f"soak-{random.getrandbits(64):x}", "party_name": "Soak customer",
        "lines[0][product]": name, "lines[0][quantity]": "1", "lines[0][amount]": "12.00"}).encode()


def purchase_body(name):
    return urllib.parse.urlencode({
        "key": f"soak-{random.getrandbits(64):x}", "party_name": "Soak supplier",
        "lines[0][product]": name, "lines[0][quantity]": "5", "lines[0][amount]": "8.00",
        "lines[0][expires_on]": ""}).encode()


def count_body(product_id, counted):
    return urllib.parse.urlencode({
        "id": str(product_id), "counted": str(counted), "reason": "Soak count",
        "key": f"soak-{random.getrandbits(64):x}"}).encode()


def one_import(tally, base, cookie, n):
    boundary = "stockroom-soak"
    rows = "".join(f"Soak import {n}-{i},,pcs,20.00,3,9.50,\n" for i in range(20))
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"soak.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\nname,sku,unit,selling_price,quantity,unit_cost,expires_on\n{rows}"
            f"\r\n--{boundary}--\r\n").encode()
    started = time.monotonic()
    status, headers, _ = bench.http(base + "/inventory/import/check", body,
                                    {"Content-Type": f"multipart/form-data; boundary={boundary}"}, cookie,
                                    timeout=DEADLINE)
    tally.add("import check", status, time.monotonic() - started, "Check file")
    upload = urllib.parse.parse_qs(urllib.parse.urlparse(headers.get("Location", "")).query).get("upload", [""])[0]
    if upload:
        request(tally, "import", base, "/api/inventory/import", cookie,
                urllib.parse.urlencode({"upload": upload}).encode(), FORM)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")


def main():
    if not os.path.exists(bench.BIN):
        sys.exit(f"soak: no release binary at {bench.BIN}; run `make build` first")
    admin = bench.PG_ADMIN
    subprocess.run(["psql", "-q", admin, "-c", f"DROP DATABASE IF EXISTS {DB}"], check=True)
    subprocess.run(["psql", "-q", admin, "-c", f"CREATE DATABASE {DB}"], check=True)
    url = admin.rsplit("/", 1)[0] + "/" + DB
    env = {"DATABASE_URL": url, "LOG_FORMAT": "json", "RUST_LOG": "warn",
           "STOCKROOM_ADMIN_EMAIL": bench.EMAIL, "STOCKROOM_ADMIN_PASSWORD": bench.PASSWORD,
           "DATABASE_MAX_CONNECTIONS": "8"}
    bench.Server(env).stop()
    subprocess.run([bench.BIN, "seed", "--products", str(PRODUCTS), "--movements", str(MOVEMENTS)],
                   env=dict(os.environ, **env), capture_output=True, text=True, check=True)
    logs = tempfile.mkdtemp(prefix="stockroom-soak-")
    servers = [bench.Server(env, log=os.path.join(logs, f"instance-{i}.log")) for i in range(INSTANCES)]
    cookies = [bench.sign_in(s.base) for s in servers]
    stocked = psql(url, "SELECT name FROM products WHERE quantity >= 20 ORDER BY id LIMIT 300").splitlines()
    ids = [int(i) for i in psql(url, "SELECT id FROM products ORDER BY id LIMIT 300").splitlines()]
    bills = psql(url, "SELECT COUNT(*) FROM bills")
    print(f"soak: {INSTANCES} instances, {RATE:g} requests/s for {MINUTES:g} min; logs in {logs}", flush=True)

    tally = Tally()
    rss = []  # (minute, [kB per instance])
    started = time.monotonic()
    end = started + MINUTES * 60
    imports = 0
    next_sample = started
    next_import = started + 60
    with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
        n = 0
        while (now := time.monotonic()) < end:
            if now >= next_sample:
                rss.append(((now - started) / 60, [bench.rss_kb(s.proc.pid) for s in servers]))
                next_sample += 30
            i = n % INSTANCES
            base, cookie = servers[i].base, cookies[i]
            roll = random.random()
            if now >= next_import:
                imports += 1
                pool.submit(one_import, tally, base, cookie, imports)
                next_import += 60
            elif roll < 0.60:
                pool.submit(request, tally, "page", base, random.choice(PAGES), cookie)
            elif roll < 0.85:
                pool.submit(request, tally, "sale", base, "/api/sales", cookie,
                            sale_body(random.choice(stocked)), FORM)
            elif roll < 0.97:
                pool.submit(request, tally, "purchase", base, "/api/purchases", cookie,
                            purchase_body(random.choice(stocked)), FORM)
            else:
                pool.submit(request, tally, "count", base, "/api/stock/count", cookie,
                            count_body(random.choice(ids), random.randint(20, 60)), FORM)
            n += 1
            time.sleep(max(0.0, started + n / RATE - time.monotonic()))
    rss.append((MINUTES, [bench.rss_kb(s.proc.pid) for s in servers]))
    for s in servers:
        s.stop()

    drift = psql(url, "SELECT COUNT(*) FROM products p WHERE p.quantity < 0 "
                      "OR p.quantity <> COALESCE((SELECT SUM(quantity) FROM movements m WHERE m.product_id = p.id), 0) "
                      "OR p.quantity <> COALESCE((SELECT SUM(remaining) FROM lots l WHERE l.product_id = p.id), 0)")
    new_bills = int(psql(url, "SELECT COUNT(*) FROM bills")) - int(bills)
    total = sum(sum(c.values()) for c in tally.by_kind.values())
    out = [f"Soak on {time.strftime('%Y-%m-%d')}: {INSTANCES} `stockroom serve` release processes (8 connections each) "
           f"on one PostgreSQL 15, {MINUTES:g} min at {RATE:g} requests/s ({total:,} requests), "
           f"shop seeded with {PRODUCTS:,} products / {MOVEMENTS:,} movements. Command: "
           f"`SOAK_MINUTES={MINUTES:g} SOAK_RATE={RATE:g} make soak-instances`.", "",
           "| requests | outcomes |", "|---|---|"]
    for kind, counts in sorted(tally.by_kind.items()):
        out.append(f"| {kind} | " + ", ".join(f"{k}: {v:,}" for k, v in sorted(counts.items(), key=str)) + " |")
    out += ["", f"5xx: **{len(tally.server_errors)}**; unfinished after {DEADLINE:g} s: **{len(tally.unfinished)}**; "
                f"latency p50 {percentile(tally.latencies, 0.5):.1f} ms, p99 {percentile(tally.latencies, 0.99):.1f} ms, "
                f"max {percentile(tally.latencies, 1.0):.0f} ms; bills recorded: {new_bills:,}; "
                f"products whose on-hand ≠ movements or ≠ open lots, or negative: **{drift}**.", "",
            "| minute | " + " | ".join(f"RSS instance {i + 1}" for i in range(INSTANCES)) + " |",
            "|---:|" + "---:|" * INSTANCES]
    for minute, kbs in rss:
        out.append(f"| {minute:.1f} | " + " | ".join(f"{kb / 1024:.1f} MB" for kb in kbs) + " |")
    for line in (tally.server_errors + tally.unfinished)[:10]:
        out.append(f"- {line}")
    print("\n".join(out))
    subprocess.run(["psql", "-q", admin, "-c", f"DROP DATABASE IF EXISTS {DB}"], check=False)
    ok = not tally.server_errors and not tally.unfinished and drift == "0"
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
