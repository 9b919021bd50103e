"""Bilingual text: every message the user can see exists in Chinese and English.

The product is Chinese first.  A message is written once, next to the code that
raises or prints it, as a :class:`Text` holding both languages; the language is
chosen when it is rendered, so core code never needs to know who is reading.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@dataclass(frozen=True)
class Text:
    """One user-visible message in both languages, with ``{name}`` placeholders."""

    zh: str
    en: str
    params: dict[str, object] = field(default_factory=dict)

    def format(self, **params: object) -> Text:
        return Text(self.zh, self.en, {**self.params, **params})

    def render(self, lang: Lang) -> str:
        template = self.zh if lang == "zh" else self.en
        if not self.params:
            return template
        # A parameter may itself be a Text (a field name, a state): same language.
        rendered = {k: v.render(lang) if isinstance(v, Text) else v for k, v in self.params.items()}
        return template.format(**rendered)

    def __str__(self) -> str:
        return self.render(current_lang())

    def wire(self) -> dict[str, str]:
        """The form a text takes in JSON (documents, the wire): ``{"zh": …, "en": …}``, rendered."""
        return {"zh": self.render("zh"), "en": self.render("en")}

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """In a JSON document or a message on the wire a text is ``{"zh": ..., "en": ...}``:
        one bilingual type everywhere.  English is optional and falls back to the Chinese,
        because the product is Chinese first.  Words read are taken literally (braces are
        text, not placeholders); a ``Text`` is written out rendered."""
        from pydantic_core import core_schema as cs  # lazy: only document readers need it

        part = cs.str_schema(min_length=1, max_length=10_000, strict=True)
        written = cs.typed_dict_schema(
            {"zh": cs.typed_dict_field(part), "en": cs.typed_dict_field(part, required=False)},
            extra_behavior="forbid", ref="Text")
        read = cs.no_info_after_validator_function(
            lambda d: cls(d["zh"], d.get("en", d["zh"])), written)
        return cs.json_or_python_schema(
            json_schema=read,
            python_schema=cs.union_schema([cs.is_instance_schema(cls), read]),
            serialization=cs.plain_serializer_function_ser_schema(
                lambda text: text.wire(), return_schema=written))


_forced: Lang | None = None


def set_lang(lang: Lang | None) -> None:
    """Force a language for this process (``--lang``), or follow the locale again."""
    global _forced
    _forced = lang


def lang_from_locale(environ: dict[str, str] | None = None) -> Lang:
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var, "")
        if value.lower().startswith("en"):
            return "en"
        if value.lower().startswith("zh"):
            return "zh"
    # Chinese first: an unknown or "C" locale still gets the product's own language.
    return "zh"


def current_lang() -> Lang:
    return _forced if _forced is not None else lang_from_locale()
