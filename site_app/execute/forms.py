"""Submit the form of a page as a browser would.

A block's ``submit`` request names a form of the previous HTML answer (or
none, when the page has one). The page is read with the standard library's
:class:`html.parser.HTMLParser`; the request that a browser would send is
built from it: the form's own ``action`` and ``method``, every field's value
as the page sets it (hidden CSRF tokens included), and the block's fields
filled in. Misuse raises :class:`FormProblem`, which the worker turns into an
error naming the page line.

The in-browser runner submits forms with this same file (the build copies it
next to the runner's driver), so it imports the standard library only.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Inputs whose value the page's own markup never sends.
_NOT_SENT = ("submit", "button", "reset", "image", "file")


class FormProblem(ValueError):
    """The page has no such form, or the form has no such field; ``fix`` says what to do."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix


@dataclass
class Field:
    name: str
    kind: str  # the input's type, or "textarea" / "select"
    value: str
    checked: bool = False  # checkboxes and radio buttons
    disabled: bool = False


@dataclass
class Form:
    """One ``<form>`` of a page, and where it starts."""

    line: int  # in the page's HTML source, from 1
    attributes: dict[str, str]
    fields: list[Field] = field(default_factory=list)

    @property
    def name(self) -> str:
        """How a block names this form: ``#id``, else ``.class``, else its action."""
        if self.attributes.get("id"):
            return "#" + self.attributes["id"]
        if self.attributes.get("class"):
            return "." + self.attributes["class"].split()[0]
        return self.attributes.get("action") or "(no id, class or action)"

    def matches(self, selector: str, page_path: str) -> bool:
        if selector.startswith("#"):
            return self.attributes.get("id") == selector[1:]
        if selector.startswith("."):
            return selector[1:] in self.attributes.get("class", "").split()
        return urllib.parse.urlsplit(self.action(page_path)).path == selector

    def action(self, page_path: str) -> str:
        """The URL the form posts to, as a path with its query: relative to the page."""
        target = urllib.parse.urljoin(
            "http://localhost" + page_path, self.attributes.get("action") or ""
        )
        parts = urllib.parse.urlsplit(target)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def method(self) -> str:
        return "POST" if self.attributes.get("method", "get").lower() == "post" else "GET"


class _FormReader(HTMLParser):
    """Every form of a page, with its fields and their values as the page sets them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._option: dict[str, str] | None = None
        self._option_text = ""
        self._first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        flags = {key for key, value in attrs}
        if tag == "form":
            self._form = Form(self.getpos()[0], values)
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = values.get("name")
        if tag == "input" and name:
            kind = values.get("type", "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.fields.append(
                Field(
                    name,
                    kind,
                    values.get("value", default),
                    checked="checked" in flags,
                    disabled="disabled" in flags,
                )
            )
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea", "", disabled="disabled" in flags)
            self._form.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = Field(name, "select", "", disabled="disabled" in flags)
            self._first_option = None
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = values, ""
            if "selected" in flags:
                self._select.checked = True
                self._select.value = values.get("value", "")
        elif tag == "button" and name:
            self._form.fields.append(
                Field(name, values.get("type", "submit"), values.get("value", ""))
            )

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            # HTML drops one newline right after <textarea> (WTForms writes one).
            value = self._textarea.value
            self._textarea.value = (
                value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            )
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option.get("value", self._option_text.strip())
            if self._first_option is None:
                self._first_option = value
            if "value" not in self._option and self._select.checked and not self._select.value:
                self._select.value = value
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select.checked:
                self._select.value = self._first_option or ""
            self._select = None


def forms_of(html: str) -> list[Form]:
    """Every ``<form>`` of a page."""
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def choose(forms: list[Form], selector: str | None, page_path: str) -> Form:
    """The form a block names; :class:`FormProblem` when there is none or more than one."""
    names = ", ".join(f"{form.name} (line {form.line})" for form in forms)
    if selector is None:
        if len(forms) == 1:
            return forms[0]
        if not forms:
            raise FormProblem(
                "the page has no <form>", "submit after a request that answers a page with a form"
            )
        raise FormProblem(
            f"the page has {len(forms)} forms: {names}",
            "say which one, e.g. submit: {form: '" + forms[0].name + "'}",
        )
    found = [form for form in forms if form.matches(selector, page_path)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise FormProblem(
            f"the page has no form {selector!r}"
            + (f"; its forms are {names}" if forms else "; it has no <form> at all"),
            "name a form by its id ('#login'), a class ('.search') or its action ('/login/')",
        )
    raise FormProblem(
        f"{len(found)} forms of the page match {selector!r}: "
        + ", ".join(f"line {form.line}" for form in found),
        "give the form an id and name it by that ('#login')",
    )


def submission(
    form: Form, fields: tuple[tuple[str, str | bool], ...], uploads: tuple[str, ...]
) -> list[tuple[str, str]]:
    """The name/value pairs a browser sends for ``form`` after the block's ``fields`` are filled in.

    ``uploads`` are the fields the block sends files for: each must be a file
    input of the form.
    """
    known = {f.name: f for f in form.fields if not f.disabled}
    for name in [name for name, _ in fields] + list(uploads):
        if name not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise FormProblem(
                f"form {form.name} (line {form.line}) has no field '{name}'; "
                f"its fields are {listed}",
                "use a field the form has; the page's HTML source names them",
            )
    for name in uploads:
        if known[name].kind != "file":
            raise FormProblem(
                f"field '{name}' of form {form.name} (line {form.line}) is not a file input "
                f'(<input type="file">) but {known[name].kind}',
                "send files only for the form's file inputs; put other values under 'fields'",
            )
    given = dict(fields)
    pairs: list[tuple[str, str]] = []
    for f in form.fields:
        if f.disabled or f.name in uploads:
            continue
        if f.kind in ("checkbox", "radio"):
            wanted = given.get(f.name, f.checked)
            if isinstance(wanted, bool):
                if wanted:
                    pairs.append((f.name, f.value))
            elif wanted == f.value:  # a radio button chosen by its value
                pairs.append((f.name, f.value))
            continue
        if f.kind in _NOT_SENT:
            if f.name in given:  # the button the block presses
                pressed = given[f.name]
                pairs.append((f.name, f.value if isinstance(pressed, bool) else pressed))
            continue
        value = given.get(f.name, f.value)
        pairs.append((f.name, f.value if isinstance(value, bool) else value))
    return pairs


def submitted(
    page: str,
    page_path: str,
    selector: str | None,
    fields: tuple[tuple[str, str | bool], ...],
    uploads: tuple[str, ...] = (),
) -> tuple[str, str, list[tuple[str, str]]]:
    """What a browser sends to post ``selector``'s form of ``page``, the HTML at ``page_path``.

    The method, the path (a GET form's fields in its query) and, for a POST,
    the name/value pairs of its body, after the block's ``fields`` are filled in.
    """
    form = choose(forms_of(page), selector, page_path)
    pairs = submission(form, fields, uploads)
    action = form.action(page_path)
    if form.method == "GET":
        if uploads:
            raise FormProblem(
                f"form {form.name} (line {form.line}) is sent with GET, which cannot carry files",
                'give the form method="post" and enctype="multipart/form-data"',
            )
        query = urllib.parse.urlencode(pairs)
        return "GET", urllib.parse.urlsplit(action).path + (f"?{query}" if query else ""), []
    return "POST", action, pairs
