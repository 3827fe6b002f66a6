#!/usr/bin/env python3
"""Summarise kunit.py --json output.

usage: summarize.py RESULTS.json TOPIC...

Every TOPIC must have produced at least one suite named TOPIC_*. Prints one
line per suite and, as the last line, "N passed, N failed[, N skipped]".
Exits non-zero on any failed or crashed test case and on any missing suite.
"""
import json
import sys


def cases(group, suite=None):
    """Yield (suite, case, status) for every test case under group."""
    for case in group.get("test_cases", []):
        yield suite or group["name"], case["name"], case["status"]
    for sub in group.get("sub_groups", []):
        yield from cases(sub, suite or sub["name"])


def main():
    path, topics = sys.argv[1], sys.argv[2:]
    try:
        with open(path) as f:
            root = json.load(f)
    except (OSError, ValueError) as e:
        print(f"no KUnit results ({e}): the kernel did not build or boot, see the log")
        print(f"0 passed, {max(len(topics), 1)} failed")
        return 1

    suites = {}
    for suite, _, status in cases(root):
        suites.setdefault(suite, []).append(status)
    passed = failed = skipped = 0
    for suite, statuses in sorted(suites.items()):
        p, s = statuses.count("PASS"), statuses.count("SKIP")
        f = len(statuses) - p - s
        passed, failed, skipped = passed + p, failed + f, skipped + s
        print(f"  {suite}: {p} passed, {f} failed" + (f", {s} skipped" if s else ""))
    for topic in topics:
        if not any(name.startswith(topic + "_") for name in suites):
            print(f"  missing: no suite named {topic}_* ran")
            failed += 1
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
