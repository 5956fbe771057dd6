"""The two clocks the readiness tests compare, both wall-clock seconds since the epoch: systemd's and the engine's."""

import datetime


def unit_time(text):
    """systemctl's `--timestamp=us+utc` form, `Sun 2026-11-29 06:37:54.812450 UTC`."""
    stamp = datetime.datetime.strptime(text, "%a %Y-%m-%d %H:%M:%S.%f UTC")
    return stamp.replace(tzinfo=datetime.timezone.utc).timestamp()


def engine_time(text):
    """The engine's RFC 3339 time with nanoseconds, `2026-11-29T06:37:54.812450123Z` (`.State.StartedAt`)."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    stamp = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return stamp.timestamp() + float("0." + (fraction or "0"))


def container_started(engine, name):
    return engine_time(engine.docker("inspect", "-f", "{{.State.StartedAt}}", name).stdout.strip())
