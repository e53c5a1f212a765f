"""axe-core run inside a page: the serious and critical accessibility violations it finds.

The page's context must be opened with `bypass_csp=True` (only to inject axe.min.js). Every
rule runs, colour contrast included."""

from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_serious(page: Page, also: tuple[str, ...] = ()) -> list[str]:
    """`rule-id: target, target` for each serious or critical violation (empty when none),
    and for each violation of the rules named in `also` whatever their impact."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (also) => (await axe.run(document)).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical' || also.includes(v.id))
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))""",
        list(also),
    )
