"""Discord's validation limits and the error payloads it answers with.

Why: a Q&A bot quoting articles easily overflows the 2000/4096/1024-character limits, which
only fails against the real API. The peer raises the same errors here (``ApiError`` becomes the
HTTP status and JSON body discord.py turns into ``HTTPException``), so the bot's own error path
runs in tests too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tests.peer.models import UploadedFile
from tests.peer.protocol import FLAG_COMPONENTS_V2


class ApiError(Exception):
    """An error answer as Discord sends it: the HTTP ``status`` and a JSON ``body`` with code,
    message and, for an invalid form body, the nested ``errors``."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def form_error(problems: Mapping[str, tuple[str, str]]) -> ApiError:
    """Build discord's nested ``Invalid Form Body`` error from ``{"embeds.0.title": (code, msg)}``."""
    errors: dict[str, Any] = {}
    for dotted, (code, message) in problems.items():
        node = errors
        for part in dotted.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return ApiError(400, 50035, "Invalid Form Body", errors)


def max_len(problems: dict[str, tuple[str, str]], key: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems[key] = ("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def validate_message(payload: Mapping[str, Any], files: Sequence[UploadedFile] = ()) -> None:
    """Apply Discord's message limits; raise the 400 Discord would send."""
    problems: dict[str, tuple[str, str]] = {}
    v2 = bool(int(payload.get("flags") or 0) & FLAG_COMPONENTS_V2)
    max_len(problems, "content", payload.get("content"), 2000)
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        problems["embeds"] = ("BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        base = f"embeds.{i}"
        max_len(problems, f"{base}.title", embed.get("title"), 256)
        max_len(problems, f"{base}.description", embed.get("description"), 4096)
        max_len(problems, f"{base}.footer.text", (embed.get("footer") or {}).get("text"), 2048)
        max_len(problems, f"{base}.author.name", (embed.get("author") or {}).get("name"), 256)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems[f"{base}.fields"] = ("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                if not fld.get(key):
                    problems[f"{base}.fields.{j}.{key}"] = (
                        "BASE_TYPE_REQUIRED",
                        "This field is required",
                    )
                max_len(problems, f"{base}.fields.{j}.{key}", fld.get(key), limit)
            total += len(fld.get("name") or "") + len(fld.get("value") or "")
        total += len(embed.get("title") or "") + len(embed.get("description") or "")
        total += len((embed.get("footer") or {}).get("text") or "")
        total += len((embed.get("author") or {}).get("name") or "")
    if total > 6000:
        problems["embeds"] = ("MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    rows = payload.get("components") or []
    if not v2 and len(rows) > 5:
        problems["components"] = ("BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for path, comp in walk_components(rows):
        custom_id = comp.get("custom_id")
        if custom_id is not None:
            max_len(problems, f"{path}.custom_id", custom_id, 100)
            if custom_id in seen:
                problems[f"{path}.custom_id"] = (
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            seen.add(custom_id)
        if comp.get("type") == 1 and len(comp.get("components") or []) > 5:
            problems[f"{path}.components"] = (
                "BASE_TYPE_MAX_LENGTH",
                "Must be 5 or fewer in length.",
            )
        if comp.get("type") == 2:
            max_len(problems, f"{path}.label", comp.get("label"), 80)
            if comp.get("style") == 5 and not comp.get("url"):
                problems[f"{path}.url"] = ("BASE_TYPE_REQUIRED", "This field is required")
    if problems:
        raise form_error(problems)
    has_body = any(
        payload.get(key)
        for key in ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    )
    if not has_body and not files:
        raise ApiError(400, 50006, "Cannot send an empty message")


def validate_choices(choices: Sequence[Mapping[str, Any]]) -> None:
    """Autocomplete choices as Discord checks them: at most 25, names 1-100 chars, values <= 100."""
    problems: dict[str, tuple[str, str]] = {}
    if len(choices) > 25:
        problems["data.choices"] = (
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.",
        )
    for i, choice in enumerate(choices):
        if not 1 <= len(choice.get("name") or "") <= 100:
            problems[f"data.choices.{i}.name"] = (
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        max_len(problems, f"data.choices.{i}.value", choice.get("value"), 100)
    if problems:
        raise form_error(problems)


def walk_components(
    components: Iterable[Mapping[str, Any]], prefix: str = "components"
) -> Iterable[tuple[str, Mapping[str, Any]]]:
    for i, comp in enumerate(components):
        path = f"{prefix}.{i}"
        yield path, comp
        if comp.get("components"):
            yield from walk_components(comp["components"], f"{path}.components")
        if comp.get("component"):
            yield from walk_components([comp["component"]], f"{path}.component")
        if comp.get("accessory"):
            yield from walk_components([comp["accessory"]], f"{path}.accessory")
