"""What the placements app does when something happens elsewhere."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Authority
from placements.reference import seed_default_mapping


@receiver(post_save, sender=Authority, dispatch_uid="placements_default_mapping")
def new_authority_gets_default_mapping(*, instance: Authority, created: bool, raw: bool = False, **_: Any) -> None:
    # Every council starts with the DATA_FORMATS.md mapping, which its administrators then edit.
    if created and not raw:
        seed_default_mapping(instance)
