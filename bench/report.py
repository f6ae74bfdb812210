#!/usr/bin/python3
"""Summarises a showdown run (bench/run.sh's results.jsonl): medians over rounds, ratios to the floor,
the issue's targets. Prints a text table; --markdown / --json write the same for docs and tools.

Only numbers present in the results file are printed; nothing is estimated."""
import argparse
import json
import statistics
import sys

CONSUMER_ORDER = ["floor", "floor-core", "auditd-enriched", "auditd-raw", "auditlens"]
STORM_ORDER = ["open", "exec", "connect"]
# The targets for auditlens: CPU per event against the floor, per storm.
CPU_TARGET = {"open": 1.25, "exec": 1.5, "connect": 1.5}
RATE_TARGET = 0.95
RSS_TARGET_KB = 32 * 1024
PARSE_TARGET = 2_000_000


def order(value, known):
    return known.index(value) if value in known else len(known)


def load(path):
    machine, rows, parses, parse_log, skipped = {}, [], [], {}, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            obj = json.loads(line)
            if "machine" in obj:
                machine = obj["machine"]
            elif "storm" in obj:
                rows.append(obj)
            elif "parse" in obj:
                parses.append(obj)
            elif "parse_log" in obj:
                parse_log = obj["parse_log"]
            elif "skipped" in obj:
                skipped.append(obj)
    return machine, rows, parses, parse_log, skipped


def summarise_storms(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["storm"], r["consumer"]), []).append(r)
    out = []
    for (storm, consumer), rs in groups.items():
        out.append({
            "storm": storm,
            "consumer": consumer,
            "rounds": len(rs),
            "events": rs[0]["events"],
            "us_per_event": statistics.median(r["cpu_ns"] / 1000 / r["events"] for r in rs),
            "us_per_event_min": min(r["cpu_ns"] / 1000 / r["events"] for r in rs),
            "us_per_event_max": max(r["cpu_ns"] / 1000 / r["events"] for r in rs),
            "rate": statistics.median(r["rate"] for r in rs),
            "lost_delta_max": max(r["lost_delta"] for r in rs),
            "hwm_kb_max": max(r["hwm_kb"] for r in rs),
            "kernel_us_per_event": statistics.median(r.get("kauditd_cpu_ns", 0) / 1000 / r["events"] for r in rs),
            "all_delivered": all(r["delivered"] == r["events"] for r in rs),
            "worst_delivered": min(r["delivered"] - r["events"] for r in rs),
            "drained": sorted({r["drained"] for r in rs}),
            "storm_errors": sum(r["errors"] for r in rs),
        })
        if all("floor_batches" in r and r["floor_batches"] > 0 for r in rs):
            out[-1]["floor_records_per_batch"] = statistics.median(r["floor_records"] / r["floor_batches"] for r in rs)
    floor = {s["storm"]: s for s in out if s["consumer"] == "floor"}
    for s in out:
        f = floor.get(s["storm"])
        s["cpu_ratio"] = s["us_per_event"] / f["us_per_event"] if f and f["us_per_event"] > 0 else None
        s["rate_ratio"] = s["rate"] / f["rate"] if f and f["rate"] > 0 else None
    out.sort(key=lambda s: (order(s["storm"], STORM_ORDER), order(s["consumer"], CONSUMER_ORDER)))
    return out


def summarise_parses(parses):
    groups = {}
    for p in parses:
        groups.setdefault(p["parse"], []).append(p)
    out = []
    for name, ps in groups.items():
        wall = statistics.median(p["wall_s"] for p in ps)
        out.append({
            "parser": name,
            "rounds": len(ps),
            "records": ps[0]["records"],
            "records_walked": ps[0].get("records_walked"),
            "wall_s": wall,
            "cpu_s": statistics.median(p["user_s"] + p["sys_s"] for p in ps),
            "records_per_s": ps[0]["records"] / wall if wall > 0 else None,
            "maxrss_kb": max(p["maxrss_kb"] for p in ps),
        })
    out.sort(key=lambda p: p["parser"] != "auditlens")
    return out


def fmt(value, spec, none="-"):
    return none if value is None else format(value, spec)


def delivered_text(s):
    if s["all_delivered"]:
        return "all"
    return f"{s['worst_delivered']:+d}"


def storm_table(storms):
    head = ["storm", "consumer", "events", "µs/event", "×floor", "storm rate/s", "% floor rate",
            "lost Δ", "peak RSS MB", "delivered", "kernel µs/ev", "rounds"]
    body = []
    for s in storms:
        body.append([
            s["storm"], s["consumer"], str(s["events"]), fmt(s["us_per_event"], ".2f"),
            fmt(s["cpu_ratio"], ".2f"), fmt(s["rate"], ",.0f"),
            fmt(None if s["rate_ratio"] is None else 100 * s["rate_ratio"], ".0f"),
            str(s["lost_delta_max"]), fmt(s["hwm_kb_max"] / 1024, ".1f"), delivered_text(s),
            fmt(s["kernel_us_per_event"], ".2f"), str(s["rounds"]),
        ])
    return head, body


def parse_table(parses):
    head = ["parser", "records", "wall s", "records/s", "CPU s", "peak RSS MB", "rounds"]
    body = [[p["parser"], str(p["records"]), fmt(p["wall_s"], ".3f"), fmt(p["records_per_s"], ",.0f"),
             fmt(p["cpu_s"], ".2f"), fmt(p["maxrss_kb"] / 1024, ".1f"), str(p["rounds"])] for p in parses]
    return head, body


def targets(storms, parses):
    """The issue's targets for auditlens, each with the measured value: (target, measured, met)."""
    out = []
    mine = {s["storm"]: s for s in storms if s["consumer"] == "auditlens"}
    for storm in STORM_ORDER:
        s = mine.get(storm)
        if not s:
            continue
        if s["cpu_ratio"] is not None:
            out.append((f"{storm}: CPU/event ≤ {CPU_TARGET[storm]}× floor", f"{s['cpu_ratio']:.2f}×",
                        s["cpu_ratio"] <= CPU_TARGET[storm]))
        if s["rate_ratio"] is not None:
            out.append((f"{storm}: storm rate ≥ 95% of floor's", f"{100 * s['rate_ratio']:.0f}%",
                        s["rate_ratio"] >= RATE_TARGET))
        out.append((f"{storm}: 0 lost", str(s["lost_delta_max"]), s["lost_delta_max"] == 0))
        out.append((f"{storm}: peak RSS ≤ 32 MB", f"{s['hwm_kb_max'] / 1024:.1f} MB",
                    s["hwm_kb_max"] <= RSS_TARGET_KB))
    for p in parses:
        if p["parser"] == "auditlens" and p["records_per_s"]:
            out.append(("offline parse ≥ 2,000,000 records/s", f"{p['records_per_s']:,.0f}",
                        p["records_per_s"] >= PARSE_TARGET))
    return out


def text_table(head, body):
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths))]
    lines.append("  ".join("-" * w for w in widths))
    for r in body:
        lines.append("  ".join(c.rjust(w) if i >= 2 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)


def md_table(head, body):
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" if i < 2 else "---:" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


def machine_line(m):
    if not m:
        return ""
    quick = " — QUICK run (small storms, 1 round): a harness check, not a measurement" if m.get("quick") else ""
    return (f"{m.get('date', '?')} · {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('mem_gib', '?')} GiB · "
            f"kernel {m.get('kernel', '?')} · auditd {m.get('auditd', '?')} · {m.get('auditlens') or 'auditlens -'} "
            f"(tree {m.get('commit') or '?'}) · "
            f"load average at start {m.get('loadavg_at_start', '?')}{quick}")


BEGIN_MARK = "<!-- bench:latest:begin (written by bench/run.sh --update-docs) -->"
END_MARK = "<!-- bench:latest:end -->"


def update_docs(path, block):
    """Puts the latest table between the markers of docs/performance.md; the prose around it is kept."""
    with open(path) as f:
        text = f.read()
    begin, end = text.find(BEGIN_MARK), text.find(END_MARK)
    if begin < 0 or end < begin:
        raise SystemExit(f"report.py: {path} has no {BEGIN_MARK} ... {END_MARK} block")
    text = text[:begin + len(BEGIN_MARK)] + "\n" + block + text[end:]
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("results")
    ap.add_argument("--markdown")
    ap.add_argument("--json")
    ap.add_argument("--docs", help="replace the block between the bench:latest markers in this file")
    args = ap.parse_args()
    machine, rows, parses, parse_log, skipped = load(args.results)
    storms = summarise_storms(rows)
    parse_sum = summarise_parses(parses)
    goals = targets(storms, parse_sum)

    text, md = [machine_line(machine), ""], [f"Run: {machine_line(machine)}", ""]
    if storms:
        head, body = storm_table(storms)
        text += [text_table(head, body), ""]
        md += [md_table(head, body), ""]
    if parse_sum:
        head, body = parse_table(parse_sum)
        log_note = f"raw log of {parse_log.get('records', '?'):,} records, {parse_log.get('bytes', 0) / 1e6:.0f} MB" \
            if parse_log else ""
        text += [f"Offline parse ({log_note})", text_table(head, body), ""]
        md += [f"Offline parse ({log_note}):", "", md_table(head, body), ""]
    if goals:
        text.append("Targets (auditlens):")
        md += ["Targets (auditlens):", "", "| target | measured | met |", "|---|---:|---|"]
        for goal, value, met in goals:
            text.append(f"  {'met    ' if met else 'NOT MET'}  {goal}: {value}")
            md.append(f"| {goal} | {value} | {'yes' if met else '**no**'} |")
        text.append("")
        md.append("")
    for s in skipped:
        text.append(f"skipped: {s['skipped']} ({s['reason']})")
        md.append(f"Skipped: {s['skipped']} ({s['reason']}).")
    print("\n".join(text).rstrip())
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(md).rstrip() + "\n")
    if args.docs:
        update_docs(args.docs, "\n".join(md).rstrip() + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "storms": storms, "parse_log": parse_log, "parse": parse_sum,
                       "targets": [{"target": g, "measured": v, "met": m} for g, v, m in goals],
                       "skipped": skipped}, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
