"""Practice items shown before the test: never stored, never scored."""

from app.delivery.content import ItemView, OptionView


def _item(position: int, stem: str, options: list[str]) -> ItemView:
    return ItemView(
        position=position,
        section_position=0,
        stem=stem,
        figure=None,
        options=[
            OptionView(label, label, text) for label, text in zip("ABCDE", options, strict=False)
        ],
        option_id=None,
        flagged=False,
        answer_seq=None,
    )


PRACTICE_ITEMS = [
    _item(1, "Latihan: 12 + 15 = ...", ["25", "27", "28", "30"]),
    _item(
        2,
        "Latihan: Kata yang paling dekat maknanya dengan KANTOR adalah ...",
        ["rumah", "pasar", "tempat kerja", "sekolah"],
    ),
]
