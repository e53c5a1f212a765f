"""`python -m bench.item_html`: CPU to build a batch of 22 items (11 numerik, 11 figural,
generated) with `app.delivery.item_html` against the Jinja include it replaced (the
templates of commit 52c4664^, read with `git show`), interleaved in one run.

The page's first batch is built for every taker in the minute a room presses "Mulai tes"
(issue 14); bench/README.md has the figures."""

import argparse
import statistics
import subprocess
import time
from pathlib import Path

from jinja2 import ChoiceLoader, DictLoader

from app.delivery.content import LABELS, Content, ItemView, OptionView
from app.delivery.item_html import items_html
from app.web.templating import current_locale, templates
from question_bank.generators import figural, numerik

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "52c4664^"


def _old_template(name: str) -> str:
    return subprocess.run(  # noqa: S603
        ["git", "show", f"{BEFORE}:templates/delivery/{name}"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _views() -> list[ItemView]:
    raw = numerik.generate(11, 7, "N", digits=6, strict_stems=False)
    raw += figural.generate(11, 8, "F", digits=6, strict_stems=False)
    views = []
    for position, item in enumerate(raw, 1):
        content = Content.of(item["stem"], item.get("figure_svg"), item["options"])
        order = [o["id"] for o in item["options"]]
        options = [OptionView(o, LABELS[i], *content.options[o]) for i, o in enumerate(order)]
        views.append(
            ItemView(position, 1, content.stem, content.figure, options, None, False, None)
        )
    return views


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300)
    rounds = parser.parse_args().rounds
    env = templates.env
    old = {n: _old_template(n) for n in ("_item.html", "_items.html")}
    env.loader = ChoiceLoader(
        [DictLoader({f"delivery/{n}": text for n, text in old.items()}), env.loader]  # type: ignore[list-item]
    )
    template = env.get_template("delivery/_items.html")
    views = _views()
    context = {"items": views, "total_items": 700, "intros": {}}
    current_locale.set("id")
    cpu: dict[str, list[float]] = {"Jinja include (before)": [], "item_html (now)": []}
    for _ in range(rounds):
        began = time.process_time()
        template.render(context)
        cpu["Jinja include (before)"].append(time.process_time() - began)
        began = time.process_time()
        items_html(views, 700, {}, "id")
        cpu["item_html (now)"].append(time.process_time() - began)
    medians = {k: statistics.median(v) * 1000 for k, v in cpu.items()}
    for name, ms in medians.items():
        print(f"{name}: {ms:.2f} ms CPU per batch of 22 (median of {rounds})")
    before, now = medians.values()
    print(f"ratio: {before / now:.1f}×")


if __name__ == "__main__":
    main()
