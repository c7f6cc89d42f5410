"""Asset tests write small school files; the schooltech cache goes to a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCHOOLTECH_CACHE_DIR", str(tmp_path_factory.mktemp("schooltech-cache")))
        yield
