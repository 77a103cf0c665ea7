"""Checks of a workforce file across its rows: a worker's post_ref must name a post the file or
the stored list holds, of the worker's own team, and no post may be filled twice over."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Authority
from core.importing import ImportPlan
from workforce.import_rows import PostRow, WorkerRow, WorkforcePayload
from workforce.models import Post, WorkerType
from workforce.rules import Holder, fte_text, overfilled


@dataclass(frozen=True)
class NamedPost:
    """The post a worker's post_ref names."""

    team: str
    fte: Decimal
    in_file: bool  # False: only stored


@dataclass
class _Posts:
    in_file: dict[str, PostRow]  # by upper-case ref; stored posts join once a permanent holder is seen
    stored: dict[str, tuple[str, str, Decimal]]  # upper-case ref → (ref, team code, fte)

    def named(self, post_ref: str) -> NamedPost | None:
        key = post_ref.upper()
        if key in self.in_file:
            return NamedPost(self.in_file[key].team, self.in_file[key].fte, True)
        if key in self.stored:
            _, team, fte = self.stored[key]
            return NamedPost(team, fte, False)
        return None


def _post_is_kept(plan: ImportPlan, payload: WorkforcePayload, w: WorkerRow, post: NamedPost) -> bool:
    # The file describes that team, so a post it leaves out is being removed.
    if not post.in_file and post.team.upper() in payload.teams and payload.update_current:
        plan.error(
            w.row,
            "post_ref",
            w.post_ref,
            f"post {w.post_ref} of team {post.team} is not in the "
            "file, and the file describes that team's posts; add the post row",
        )
        return False
    return True


def _post_is_of_own_team(plan: ImportPlan, payload: WorkforcePayload, w: WorkerRow, post: NamedPost) -> bool:
    if post.team.upper() != w.team.upper():
        plan.error(
            w.row,
            "post_ref",
            w.post_ref,
            f"post {w.post_ref} belongs to team {post.team}, not {w.team}; a worker fills a post of their own team",
        )
        return False
    return True


# What the post a worker's post_ref names must be, checked in this order; only the first problem
# is reported, and a worker with one is not counted as holding the post.
POST_REF_CHECKS = (_post_is_kept, _post_is_of_own_team)


def check_post_holders(plan: ImportPlan, authority: Authority, payload: WorkforcePayload) -> None:
    """post_ref must name a post of the worker's own team; a post must not be over-filled."""
    posts = _Posts(
        in_file={p.ref.upper(): p for p in payload.posts},
        stored={
            ref.upper(): (ref, team, fte)
            for ref, team, fte in Post.objects.filter(authority=authority).values_list("ref", "team__code", "fte")
        },
    )
    holders: dict[str, list[tuple[Holder, WorkerRow]]] = {}
    for w in payload.workers:
        if not w.post_ref:
            continue
        post = posts.named(w.post_ref)
        if post is None:
            plan.error(
                w.row, "post_ref", w.post_ref, "is not a post in the file or already stored; add a post row for it"
            )
            continue
        if not all(check(plan, payload, w, post) for check in POST_REF_CHECKS):
            continue
        if w.worker_type == WorkerType.PERMANENT:
            key = w.post_ref.upper()
            holders.setdefault(key, []).append((Holder(f"{w.ref} (row {w.row})", w.fte, w.start_date, w.end_date), w))
            posts.in_file.setdefault(key, PostRow(0, post.team, w.post_ref, "", post.fte, 0))
    for key, pairs in holders.items():
        _check_not_overfilled(plan, posts.in_file[key], pairs)


def _check_not_overfilled(plan: ImportPlan, post: PostRow, pairs: list[tuple[Holder, WorkerRow]]) -> None:
    by_holder = {id(h): w for h, w in pairs}
    for holder, others in overfilled(post.fte, [h for h, _ in pairs]):
        w = by_holder[id(holder)]
        plan.error(
            w.row,
            "post_ref",
            w.post_ref,
            f"post {post.ref} is {fte_text(post.fte)} FTE but {w.ref} ({fte_text(w.fte)} FTE from "
            f"{w.start_date.isoformat()}) "
            f"overlaps {', '.join(o.label for o in others)} in it; two permanent workers cannot fill the same "
            "FTE over the same dates",
        )
