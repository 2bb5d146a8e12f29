"""Accessibility: axe-core from npm (offline: `npm pack`, cached like the CDN's packages,
cdn.py), run in every page under the WCAG 2.1 A and AA tags; a critical or serious
violation is a problem."""

from __future__ import annotations

from pathlib import Path

from .cdn import npm_package

AXE = ("axe-core", "4.14.1")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILS = ("critical", "serious")


# Run in the page after axe-core is injected: its violations under AXE_TAGS, in brief.
AXE_JS = """async tags => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                     target: v.nodes.length ? v.nodes[0].target.join(' ') : ''}));
}"""


def axe_script() -> Path:
    """axe-core's browser build, from its npm package (fetched once into .cache/cdn/)."""
    return npm_package(*AXE) / "axe.min.js"


def accessibility_problems(violations: list[dict]) -> list[str]:
    """axe-core's critical and serious violations, one line each (the rule, how many
    elements, the first of them)."""
    return [
        f"accessibility: {v['impact']} {v['id']} ({v['help']}) on {v['nodes']} element(s), first {v['target']}"
        for v in violations
        if v.get("impact") in AXE_FAILS
    ]
