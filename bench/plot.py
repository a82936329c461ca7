#!/usr/bin/env python3
"""Plots ack latency against load for both backends, and prints a Markdown summary
(median of the runs, with min–max spread) of every result in bench/results.

    pip install matplotlib   # once
    python3 bench/plot.py [bench/results]

Writes <results>/ack-latency.png: one panel per number of open incidents, x = HTTP
connections, y = ack latency (p99 solid, p50 dashed), one colour per backend, the
markers at the median of the runs and bars from the fastest to the slowest run.
"""
import collections
import json
import pathlib
import statistics
import sys

COLOURS = {"sqlite": "tab:blue", "postgres": "tab:orange"}


def load(results: pathlib.Path):
    docs = []
    for path in sorted(results.glob("*.json")):
        try:
            doc = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            print(f"skipping {path}: {e}", file=sys.stderr)
            continue
        doc["_file"] = path.name
        docs.append(doc)
    return docs


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values), len(values)


def fmt(s, unit="", digits=1):
    if s is None:
        return "–"
    med, lo, hi, n = s
    return f"{med:.{digits}f}{unit} ({lo:.{digits}f}–{hi:.{digits}f}, n={n})"


def ingest_groups(docs):
    groups = collections.defaultdict(list)
    for d in docs:
        if d.get("scenario") != "ingest" or d["params"].get("rate"):
            continue
        p = d["params"]
        groups[(p["backend"], p["incidents"], p["connections"])].append(d["result"]["ingest"])
    return groups


def plot(groups, out: pathlib.Path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing: pip install matplotlib", file=sys.stderr)
        return False
    incident_counts = sorted({k[1] for k in groups})
    if not incident_counts:
        print("no ingest results to plot", file=sys.stderr)
        return False
    fig, axes = plt.subplots(1, len(incident_counts), figsize=(max(6.5, 5 * len(incident_counts)), 4.2),
                             sharey=True, squeeze=False)
    for ax, incidents in zip(axes[0], incident_counts):
        for backend in ("sqlite", "postgres"):
            conns = sorted(k[2] for k in groups if k[0] == backend and k[1] == incidents)
            if not conns:
                continue
            for metric, style in (("p99_ms", "o-"), ("p50_ms", "s--")):
                meds, los, his = [], [], []
                for c in conns:
                    med, lo, hi, _ = spread([r["latency"][metric] for r in groups[(backend, incidents, c)]])
                    meds.append(med)
                    los.append(med - lo)
                    his.append(hi - med)
                ax.errorbar(conns, meds, yerr=[los, his], fmt=style, capsize=3,
                            color=COLOURS[backend], label=f"{backend} {metric[:3]}",
                            markerfacecolor="white" if metric == "p50_ms" else COLOURS[backend])
        ax.axhline(25, color="grey", linewidth=0.8, linestyle=":")
        ax.set_xscale("log", base=2)
        ticks = sorted({k[2] for k in groups})
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_xlim(min(ticks) / 1.5, max(ticks) * 1.5)
        ax.set_yscale("log")
        ax.set_title(f"{incidents} open incident{'s' if incidents != 1 else ''}")
        ax.set_xlabel("concurrent connections")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("ack latency (ms), p99 solid / p50 dashed")
    axes[0][-1].legend(fontsize=8)
    fig.suptitle("Warroom event ack latency vs load (dotted line: 25 ms p99 target)", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")
    return True


def table(docs, groups):
    print("\n### Ingest (median of runs, min–max)\n")
    print("| backend | incidents | conns | runs | ev/s | p50 ms | p99 ms | max ms | lost | dup |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (backend, incidents, conns), runs in sorted(groups.items()):
        lost = sum((r.get("verify") or {}).get("lost", 0) for r in runs)
        dup = sum((r.get("verify") or {}).get("duplicated", 0) for r in runs)
        print(f"| {backend} | {incidents} | {conns} | {len(runs)} "
              f"| {fmt(spread([r['throughput']['overall_per_sec'] for r in runs]), digits=0)} "
              f"| {fmt(spread([r['latency']['p50_ms'] for r in runs]), digits=2)} "
              f"| {fmt(spread([r['latency']['p99_ms'] for r in runs]), digits=2)} "
              f"| {fmt(spread([r['latency']['max_ms'] for r in runs]), digits=1)} | {lost} | {dup} |")

    by = collections.defaultdict(list)
    for d in docs:
        by[d.get("scenario")].append(d)
    sustained = collections.defaultdict(list)
    for d in by["ingest"]:
        p = d["params"]
        if p.get("rate"):
            sustained[(p["backend"], p["incidents"], p["connections"], p["rate"])].append(d["result"]["ingest"])
    if sustained:
        print("\n### Sustained ingest, open loop (latency from each event's due time, after the warm-up)\n")
        print("| backend | incidents | conns | offered ev/s | runs | achieved ev/s | p50 ms | p99 ms | p99.9 ms | max ms | lost | dup |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for (backend, incidents, conns, rate), runs in sorted(sustained.items()):
            lost = sum((r.get("verify") or {}).get("lost", 0) for r in runs)
            dup = sum((r.get("verify") or {}).get("duplicated", 0) for r in runs)
            print(f"| {backend} | {incidents} | {conns} | {rate:.0f} | {len(runs)} "
                  f"| {fmt(spread([r['throughput']['overall_per_sec'] for r in runs]), digits=0)} "
                  f"| {fmt(spread([r['latency']['p50_ms'] for r in runs]), digits=2)} "
                  f"| {fmt(spread([r['latency']['p99_ms'] for r in runs]), digits=2)} "
                  f"| {fmt(spread([r['latency']['p999_ms'] for r in runs]), digits=2)} "
                  f"| {fmt(spread([r['latency']['max_ms'] for r in runs]), digits=1)} | {lost} | {dup} |")
    if by["commands"]:
        print("\n### Slash commands under full ingest load\n")
        print("| backend | runs | declare p50 | declare p99 | note p50 | note p99 | ingest ev/s |")
        print("|---|---|---|---|---|---|---|")
        per = collections.defaultdict(list)
        for d in by["commands"]:
            per[d["params"]["backend"]].append(d["result"])
        for backend, rs in sorted(per.items()):
            print(f"| {backend} | {len(rs)} "
                  f"| {fmt(spread([r['declare']['p50_ms'] for r in rs]), ' ms', 2)} "
                  f"| {fmt(spread([r['declare']['p99_ms'] for r in rs]), ' ms', 2)} "
                  f"| {fmt(spread([r['note']['p50_ms'] for r in rs]), ' ms', 2)} "
                  f"| {fmt(spread([r['note']['p99_ms'] for r in rs]), ' ms', 2)} "
                  f"| {fmt(spread([r['ingest']['throughput']['overall_per_sec'] for r in rs]), '', 0)} |")
    if by["rss"]:
        print("\n### Resident memory of `warroom serve`\n")
        print("| backend | load | runs | idle MiB | loaded MiB | peak MiB |")
        print("|---|---|---|---|---|---|")
        per = collections.defaultdict(list)
        for d in by["rss"]:
            p = d["params"]
            per[(p["backend"], p["incidents"], p["messages_per_incident"])].append(d["result"])
        for (backend, inc, msgs), rs in sorted(per.items()):
            mib = lambda k: spread([r[k] / 1024 for r in rs])  # noqa: E731
            print(f"| {backend} | {inc} × {msgs} | {len(rs)} | {fmt(mib('idle_rss_kib'))} "
                  f"| {fmt(mib('loaded_rss_kib'))} | {fmt(mib('peak_rss_kib'))} |")
    if by["outbound"]:
        rs = [d["result"] for d in by["outbound"]]
        print("\n### Outbound drain against the per-channel post limit\n")
        print("| runs | posts | drain s | posts/s | ratio to bound | efficiency | 429s | unhandled |")
        print("|---|---|---|---|---|---|---|---|")
        print(f"| {len(rs)} | {rs[0]['posts']} | {fmt(spread([r['drain_secs'] for r in rs]), '', 2)} "
              f"| {fmt(spread([r['throughput_per_sec'] for r in rs]))} "
              f"| {fmt(spread([r['ratio'] for r in rs]), '', 2)} "
              f"| {fmt(spread([r['efficiency'] for r in rs]), '', 2)} "
              f"| {fmt(spread([r['rate_limited_429s'] for r in rs]), '', 0)} "
              f"| {sum(r['unhandled'] + max(r['outbox_failed'], 0) for r in rs)} |")
    if by["postmortem-time"]:
        render_table(by["postmortem-time"][-1], (by["postmortem-memory"] or [None])[-1])


def render_table(times, memory):
    """Criterion's medians per function and size, with the peak heap of one pass."""
    median = {(r["function"], r["entries"]): r["median_secs"] * 1e3 for r in times["result"]}
    heap = {r["entries"]: r["peak_heap_bytes"] for r in (memory or {}).get("result", [])}
    functions = ["build", "render_markdown", "render_blocks", "build+markdown+blocks"]
    print("\n### Postmortem render (criterion, median)\n")
    print("| entries | " + " | ".join(functions) + " | peak heap |")
    print("|---" * (len(functions) + 2) + "|")
    for entries in sorted({e for _, e in median}):
        cells = [f"{median[(f, entries)]:.2f} ms" if (f, entries) in median else "–" for f in functions]
        mb = f"{heap[entries] / 1e6:.1f} MB" if entries in heap else "–"
        print(f"| {entries:,} | " + " | ".join(cells) + f" | {mb} |")


def main():
    results = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results")
    docs = load(results)
    groups = ingest_groups(docs)
    ok = plot(groups, results / "ack-latency.png") if groups else True
    table(docs, groups)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
