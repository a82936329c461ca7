#!/usr/bin/env python3
"""Collects criterion's estimates for the postmortem benchmark into one JSON document.

    python3 bench/criterion_to_json.py target/criterion/postmortem > bench/results/postmortem-time.json
"""
import json
import pathlib
import sys


def main(root: str) -> None:
    rows = []
    for est in sorted(pathlib.Path(root).glob("*/*/new/estimates.json")):
        function, size = est.parts[-4], est.parts[-3]
        data = json.loads(est.read_text())
        med = data["median"]
        rows.append({
            "function": function,
            "entries": int(size) if size.isdigit() else size,
            "median_secs": med["point_estimate"] / 1e9,
            "median_ci95_secs": [med["confidence_interval"]["lower_bound"] / 1e9,
                                 med["confidence_interval"]["upper_bound"] / 1e9],
            "mean_secs": data["mean"]["point_estimate"] / 1e9,
        })
    json.dump({"scenario": "postmortem-time", "result": rows}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/criterion/postmortem")
