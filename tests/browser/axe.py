"""axe-core, the accessibility engine, run in a Playwright page; shared by the browser tests.

axe-core 4.12 comes inside the pinned ``axe-playwright-python`` package (no
download); :func:`run` injects it into the page and runs it on the
page or on the part ``context`` names (axe's ``include``/``exclude``).
"""

from __future__ import annotations

from collections import Counter

# What WCAG 2.1 AA asks, in axe's tags, and axe's best practices (landmarks, headings).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def run(page, context: object = None, rules: list[str] | None = None) -> dict:
    """axe's results on ``page`` (within ``context``): ``violations`` and ``passes``.

    axe runs the rules of :data:`TAGS`, or only ``rules`` (axe's rule ids) when
    given. Each violation lists every element it found; each rule that passed
    lists at least one element it checked (axe's ``resultTypes`` option).
    """
    from axe_playwright_python.sync_playwright import Axe

    chosen = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": TAGS}
    options = {"runOnly": chosen, "resultTypes": ["violations"]}
    return Axe().run(page, context=context, options=options).response


def checked(results: dict) -> set[str]:
    """The rules that found something to check: they passed or failed on some element."""
    return {rule["id"] for rule in results["passes"] + results["violations"] if rule["nodes"]}


def counts(found: list[dict]) -> dict[str, int]:
    """``{"rule (impact)": number of elements}`` of axe's violations, sorted by rule."""
    tally = Counter({f"{rule['id']} ({rule['impact']})": len(rule["nodes"]) for rule in found})
    return dict(sorted(tally.items()))


def describe(found: list[dict], limit: int = 3) -> str:
    """Each violated rule, its help text and its first few elements, for a failure message."""
    lines = []
    for rule in found:
        lines.append(f"{rule['id']} ({rule['impact']}, {len(rule['nodes'])}): {rule['help']}")
        for node in rule["nodes"][:limit]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {node['target']}: {summary[:240]}")
    return "\n".join(lines)
