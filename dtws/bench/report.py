"""A bench run as the terminal shows it: per library and level, its figures and its ratio to the reference."""

from __future__ import annotations

from dtws.bench import data

HEAD = (
    f"{'C':>4} {'msgs':>4} {'delivered':>15} {'msg/s':>9} {'reference':>9} {'ratio (spread)':>19}"
    f" {'p50/p95/p99 ms':>22} {'ref p50':>8} {'connect':>8} {'server MB':>9} {'KB/conn':>8} {'client MB':>9}  outcome"
)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _ratio(item: data.Level) -> str:
    if item.ratio is None:
        return "-"
    return f"{item.ratio:.0%} ({item.ratio_min:.0%}-{item.ratio_max:.0%})"


def level_line(item: data.Level) -> str:
    lib, ref = item.library, item.reference
    latency = "/".join(_ms(lib.latency_ms[key]) for key in ("p50", "p95", "p99"))
    delivered = f"{lib.delivered}/{lib.expected}"
    outcome = (
        lib.outcome + (f", {lib.late} late" if lib.late else "") + (f", {lib.errors} errors" if lib.errors else "")
    )
    per_connection = "-" if lib.server_kb_per_connection is None else f"{lib.server_kb_per_connection:.0f}"
    return (
        f"{item.connections:>4} {item.messages:>4} {delivered:>15} {lib.throughput:>9.0f} {ref.throughput:>9.0f}"
        f" {_ratio(item):>19} {latency:>22} {_ms(ref.latency_ms['p50']):>8} {_ms(lib.connect_ms['p50']):>8}"
        f" {lib.server_peak_mb:>9.1f} {per_connection:>8} {lib.client_peak_mb:>9.1f}  {outcome}"
    )


def lines(run: data.Run) -> list[str]:
    said = [f"bench of {run.finished_at}: {run.settings.repeat} repetitions, medians; spread: min-max of the ratio"]
    for lib in run.libraries:
        said.append("")
        said.append(f"{lib.library} ({lib.package} {lib.version or '?'}, cell {lib.cell or '-'}): {lib.status}")
        if lib.why:
            said.append(f"  {lib.why}")
        if lib.levels:
            said.append(HEAD)
            said += [level_line(item) for item in lib.levels]
            if lib.first_error:
                said.append(f"  first error: {lib.first_error}")
    return said
