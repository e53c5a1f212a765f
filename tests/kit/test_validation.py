"""A file's validation errors in the chosen language: Pydantic's English replaced by our
catalogue's words, with its values; our validators' own messages kept."""

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.i18n import current_locale
from app.kit import validation


class Room(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(max_length=4)]
    seats: Annotated[int, Field(ge=1)]
    zone: Literal["WIB", "WITA", "WIT"] = "WIB"

    @field_validator("code")
    @classmethod
    def no_spaces(cls, value: str) -> str:
        if " " in value:
            raise ValueError("kode tanpa spasi")
        return value


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rooms: list[Room]


def problems(data: object) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Doc.model_validate(data)
    return [validation.problem(e) for e in caught.value.errors()]


def test_indonesian_with_the_values_and_entries_counted_from_1() -> None:
    rooms = [
        {"code": "R1", "seats": 40},
        {"code": "RUANG9", "seats": 0, "zone": "UTC", "lantai": 2},
        {"seats": "banyak"},
        {"code": "R 4", "seats": 3},
    ]
    assert problems({"rooms": rooms, "tema": "x"}) == [
        "rooms[2].code: harus paling banyak 4 karakter",
        "rooms[2].seats: harus 1 atau lebih",
        "rooms[2].zone: harus salah satu dari: 'WIB', 'WITA', 'WIT'",
        "rooms[2].lantai: bukan isian yang dikenal (periksa ejaan dan letaknya)",
        "rooms[3].code: wajib diisi, tetapi tidak ada",
        "rooms[3].seats: harus berupa bilangan bulat",
        "rooms[4].code: kode tanpa spasi",
        "tema: bukan isian yang dikenal (periksa ejaan dan letaknya)",
    ]


def test_english_when_chosen_and_the_whole_file_named() -> None:
    token = current_locale.set("en")
    try:
        assert problems("not a mapping") == ["(file): must be a group of fields (name: value)"]
        assert problems({"rooms": {"a": 1}}) == ["rooms: must be a list"]
    finally:
        current_locale.reset(token)


def test_every_listed_kind_is_in_the_catalogue() -> None:
    """A message missing from the Indonesian catalogue would show in English."""
    from app.i18n import gettext

    for wording in set(validation.MESSAGES.values()):
        assert gettext(wording, "id") != wording, wording
