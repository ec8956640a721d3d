"""Form fields and widgets shared by the apps.

:class:`QuickSelect` writes a ``<select>`` in Python, with the markup Django's own select
templates give (tests/expo/test_widgets.py holds it to them): the template way includes one
template per option, about 50 ms for the ~250 countries of the checkout form on this kind of
machine, paid on every checkout page and every refused checkout during a rush.
:class:`StaticChoiceField` is a choice field whose long, fixed list is shared by every form's copy
of the field instead of deep-copied (~9 ms for the countries with their lazy names) per form.
:class:`QuickTextInput`, :class:`QuickEmailInput`, :class:`QuickHiddenInput` and
:class:`QuickTextarea` write Django's markup for those widgets without its two templates each (a
checkout page has nine such fields: about half of what rendering the page cost).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's ``django/forms/widgets/attrs.html``: `` name="value"``, a bare name for True,
    nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            out.append(f'="{conditional_escape(str(value))}"')
    return "".join(out)


_MEMO: dict[tuple, str] = {}
_MEMO_LIMIT = 2048


class QuickSelect(forms.Select):
    """A drop-down rendered without a template per option (same markup, same attributes).

    ``memo``: a name for choices that never change while the process runs (the countries, the
    provinces): their options are then written once per language and chosen value, and kept."""

    def __init__(self, *args: Any, memo: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memo = memo

    def _options(self, name: str, values: list[str], attrs: dict[str, Any]) -> str:
        out = []
        for group_name, options, _index in self.optgroups(name, values, attrs):
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                out.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                out.append("\n  </optgroup>")
        return "".join(out)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        values = self.format_value(value)
        if self.memo and not self.option_inherits_attrs:
            key = (self.memo, get_language(), name, tuple(values))
            options = _MEMO.get(key)
            if options is None:
                options = self._options(name, values, final)
                if len(_MEMO) < _MEMO_LIMIT:
                    _MEMO[key] = options
        else:
            options = self._options(name, values, final)
        start = f'<select name="{conditional_escape(name)}"{_attrs(final)}>'
        return mark_safe(f"{start}{options}\n</select>")  # every value above is escaped


class QuickInputMixin:
    """``<input>`` as ``django/forms/widgets/input.html`` writes it, without the template."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        value_attr = "" if shown is None else f' value="{conditional_escape(str(shown))}"'
        return mark_safe(  # every value is escaped
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(name)}"{value_attr}{_attrs(widget["attrs"])}>'
        )


class QuickTextInput(QuickInputMixin, forms.TextInput):
    """A text input (or, with ``input_type = "tel"``, a telephone one) without its templates."""


class QuickEmailInput(QuickInputMixin, forms.EmailInput):
    """An e-mail input without its templates."""


class QuickHiddenInput(QuickInputMixin, forms.HiddenInput):
    """A hidden input without its templates."""


class QuickTextarea(forms.Textarea):
    """``<textarea>`` as ``django/forms/widgets/textarea.html`` writes it, without the template."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        text = conditional_escape(widget["value"]) if widget["value"] else ""
        return mark_safe(  # every value is escaped
            f'<textarea name="{conditional_escape(name)}"{_attrs(widget["attrs"])}>\n{text}</textarea>'
        )


class StaticChoiceField(forms.ChoiceField):
    """A ChoiceField over a list that never changes while the process runs: each form's copy of
    the field shares it (Django deep-copies a form's fields, choices included, for every form)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> StaticChoiceField:
        result = super(forms.ChoiceField, self).__deepcopy__(memo)  # Field's: widget, messages
        result._choices = self._choices
        return result
