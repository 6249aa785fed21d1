"""Longest test files first, so that the two xdist workers finish together.

Under `--dist loadfile` a file runs whole on one worker, and xdist hands files out in
collection order when told `--no-loadscope-reorder`. Its own order (most tests first) left
the few files that each run for a minute or more (a wheel built and installed, three
`confide` processes meeting through a hub) to the end, where one worker ran them alone
while the other sat idle. Here each file's time in the last run is kept in pytest's cache
and the next run starts with the longest (longest-processing-time-first scheduling). With
no record yet (a fresh clone, CI) the files holding tests marked `slow` go first.

Only the order of files changes: a file's tests keep their order and stay together.
"""

from collections import defaultdict

CACHE_KEY = "confide/file_seconds"
_seconds: dict[str, float] = defaultdict(float)


def _file(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _cache(config):
    return getattr(config, "cache", None)  # None under -p no:cacheprovider


def file_order(items, seconds: dict[str, float]) -> list:
    """Items with whole files ordered: longest last time first, then files with `slow`
    tests, then as collected."""
    slow = {_file(item.nodeid) for item in items if item.get_closest_marker("slow")}
    first = {}
    for n, item in enumerate(items):
        first.setdefault(_file(item.nodeid), n)

    def weight(item):
        name = _file(item.nodeid)
        return -float(seconds.get(name, 0.0)), name not in slow, first[name]

    return sorted(items, key=weight)  # stable: the order inside each file is kept


def pytest_collection_modifyitems(session, config, items):
    cache = _cache(config)
    seconds = cache.get(CACHE_KEY, {}) if cache is not None else {}
    items[:] = file_order(items, seconds if isinstance(seconds, dict) else {})


def pytest_runtest_logreport(report):
    # On the xdist controller this sees every worker's reports (setup, call and teardown).
    _seconds[_file(report.nodeid)] += report.duration


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    cache = _cache(config)
    if cache is None or hasattr(config, "workerinput") or not _seconds:
        return
    known = cache.get(CACHE_KEY, {})
    known = known if isinstance(known, dict) else {}
    cache.set(CACHE_KEY, {**known, **{k: round(v, 2) for k, v in _seconds.items()}})
