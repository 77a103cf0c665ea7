"""The static files storage once files are collected (DJANGO_STATIC_COLLECTED=1, as in the
image): WhiteNoise's compressed manifest storage, so each file's name carries a hash of its
content (browsers may keep it for good) and a gzip copy sits beside it."""

from __future__ import annotations

from collections.abc import Callable
from re import Match

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    def url_converter(self, name: str, hashed_files: dict, template: str | None = None) -> Callable[[Match], str]:  # type: ignore[type-arg]
        convert = super().url_converter(name, hashed_files, template)

        def lenient(matched: Match) -> str:  # type: ignore[type-arg]
            try:
                return str(convert(matched))
            except ValueError:
                # A vendored stylesheet's reference to a file we do not ship (GOV.UK Frontend's
                # crest, for a header Outturn does not use) is left as it is, not a failed build.
                return str(matched.group("matched"))

        return lenient
