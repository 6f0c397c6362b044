"""The user's tags on a photo: what they type, made tidy, and how their edits meet the AI's tags (a removed AI tag
stays, hidden, so the next analysis does not bring it back)."""

from __future__ import annotations

from collections.abc import Iterable

from shoebox.errors import InvalidInput
from shoebox.models import Photo, PhotoTag

MAX_TAGS = 100
MAX_TAG_LENGTH = 64


def normalise_tags(value: object, field: str = "tags") -> list[str]:
    """Lower-case, trimmed, single-spaced, de-duplicated tags in the order given."""
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise InvalidInput(f"{field} must be a list of strings")
    tags: list[str] = []
    for raw in value:
        tag = " ".join(raw.lower().split())
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(f"tag {tag[:20]!r}... is longer than {MAX_TAG_LENGTH} characters")
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags per photo")
    return tags


def set_user_tags(photo: Photo, wanted: Iterable[str]) -> None:
    """Make the visible tags exactly `wanted`: new ones become the user's, removed AI tags stay hidden."""
    wanted = list(wanted)
    by_name = {tag.name: tag for tag in photo.tags}
    for tag in list(photo.tags):
        if tag.name in wanted:
            tag.hidden = False
        elif tag.source == "ai":
            tag.hidden = True
        else:
            photo.tags.remove(tag)
    for name in wanted:
        if name not in by_name:
            photo.tags.append(PhotoTag(name=name, source="user"))


def add_and_remove_tags(photo: Photo, added: list[str], removed: list[str]) -> bool:
    """Add tags to the photo's visible ones and take others off (as the user's edit: `set_user_tags`); whether its
    tags changed. Too many tags in the end is refused (InvalidInput), naming the photo."""
    before = [tag.name for tag in visible_tags(photo)]
    wanted = [name for name in dict.fromkeys([*before, *added]) if name not in removed]
    if wanted == before:
        return False
    if len(wanted) > MAX_TAGS:
        raise InvalidInput(f"photo {photo.id} would have more than {MAX_TAGS} tags", code="too_many_tags")
    set_user_tags(photo, wanted)
    return True


def visible_tags(photo: Photo) -> list[PhotoTag]:
    return [tag for tag in photo.tags if not tag.hidden]
