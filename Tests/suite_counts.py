"""What a suite tried, printed and, when DANVAN_SUITE_COUNTS names a file, appended to it:
scripts/test prints every suite's counts together at the end (the Swift side is
DanVanTestSupport's SuiteCounts)."""
import os


def record(suite, what):
    database = "PostgreSQL" if os.environ.get("BROWSER_DATABASE_URL") or os.environ.get("CLUSTER_DATABASE_URL") else "SQLite"
    line = f"{suite} [{database}]: {what}"
    print("\n" + line)
    path = os.environ.get("DANVAN_SUITE_COUNTS")
    if path:
        with open(path, "a", encoding="utf-8") as counts:
            counts.write(line + "\n")
