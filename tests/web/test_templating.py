"""Template filters: sizes and numbers in the reader's language."""

import pytest

from web.i18n import Catalogue
from web.templating import Renderer


@pytest.fixture(scope="module")
def renderer():
    return Renderer(Catalogue())


@pytest.mark.parametrize(
    ("lang", "size", "shown"),
    [
        ("fr", 400, "1 ko"),
        ("fr", 48_900, "49 ko"),
        ("fr", 2_400_000, "2,4 Mo"),
        ("en", 2_400_000, "2.4 MB"),
        ("en", 999_499, "999 KB"),
        ("fr", 21_000_000, "21 Mo"),
    ],
)
def test_filesize_in_the_readers_language(renderer, lang, size, shown):
    assert renderer.envs[lang].filters["filesize"](size) == shown


def test_number_groups_digits_as_the_language_does(renderer):
    assert renderer.envs["fr"].filters["number"](3893) == "3\u202f893"
    assert renderer.envs["en"].filters["number"](3893) == "3,893"
