"""Inline compare runs (``p[0] == C0 && p[1] == C1``): which word tests make a magic value."""
from types import SimpleNamespace

from nobackdoor.analyzers.binary import analyzer, model


def _image():
    return SimpleNamespace(little=True, mapped=lambda addr: False)


def _run(values: list[int], size: int = 4) -> list:
    w = model.Walk()
    w.compares = [model.Compare(0x1000 + 8 * i, "sp", -0x40 + size * i, v, size) for i, v in enumerate(values)]
    return list(analyzer._inline_magic(_image(), 0x1000, w))


def test_two_words_of_magic_bytes_are_one_magic():
    found = _run([0x9C41E708, 0x5AB35A12])
    assert [c.raw for c in found] == [bytes.fromhex("08e7419c125ab35a")]


def test_small_negative_words_are_return_codes_not_magic():
    """Adjacent fields tested against -4096 and -12 (errno-style codes), seen on Debian's armel
    wpa_supplicant and xl2tpd, are integer tests."""
    assert _run([0xFFFFF000, 0xFFFFFFF4]) == []
    assert _run([0xFFFFFE90, 0xFFFFFEDC]) == []
    # a word whose high bytes are set but which is far from zero stays a magic part
    assert _run([0xFF41E708, 0x9CB35A12]) != []
