"""Submit the form of a page as a browser would.

A block's ``submit`` request names a form of the previous HTML answer (or
none, when the page has one). The page is read with the standard library's
:class:`html.parser.HTMLParser`; the request that a browser would send is
built from it as the HTML standard's form submission algorithm builds it:

- the controls of the form (``form="id"`` attributes included), in tree
  order, without the disabled ones (a disabled ``<fieldset>`` included);
- checkboxes and radio buttons only when checked, a select's selected
  option (or its first), a file input with no file as an empty part
  (``filename=""``), and only the button that is clicked: the block's, or
  the form's first submit button, as pressing Enter would;
- the clicked button's ``formaction``, ``formmethod``, ``formenctype`` and
  ``formnovalidate`` over the form's own;
- line breaks of every value sent as CRLF, input values cleaned as the
  input's type cleans them (no newline in a text field, a number or nothing
  in a number field);
- and no request at all when constraint validation refuses the form
  (a ``required`` field left empty, a value a reader could not type or the
  field's type or ``pattern`` refuses), unless the form, the button or the
  block says ``novalidate``.

Misuse raises :class:`FormProblem`, which the worker turns into an error
naming the page line. The in-browser runner submits forms with this same
file (the build copies it next to the runner's driver), so it imports the
standard library only.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
EMPTY_FILE_TYPE = "application/octet-stream"  # what a browser says of a file input left empty

# Inputs whose value is a line of text, which a reader types.
_TYPED = ("text", "search", "tel", "url", "email", "password")
_BUTTONS = ("submit", "image", "reset", "button")
# Not candidates for constraint validation (HTML: "barred").
_BARRED = ("hidden", *_BUTTONS)
_FLOAT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}\Z")
# The HTML standard's "valid email address" (its own regular expression).
_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\Z"
)
_WHITESPACE = " \t\n\f\r"


class FormProblem(ValueError):
    """The page has no such form, or the form has no such field; ``fix`` says what to do."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix


@dataclass
class Option:
    value: str
    selected: bool
    disabled: bool


@dataclass
class Field:
    """A control of a form: an input, a textarea, a select or a button."""

    name: str
    kind: str  # the input's type; "textarea", "select"; a button's type
    value: str
    checked: bool = False  # checkboxes and radio buttons
    disabled: bool = False
    attributes: dict[str, str] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)  # a select's
    line: int = 0

    @property
    def is_button(self) -> bool:
        return self.kind in _BUTTONS

    @property
    def is_submit_button(self) -> bool:
        return self.kind in ("submit", "image")

    def has(self, attribute: str) -> bool:
        return attribute in self.attributes


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

    def action(self, page_path: str, submitter: Field | None = None) -> str:
        """The URL the form posts to, as a path with its query: relative to the page."""
        attributes = self.attributes
        if submitter is not None and submitter.has("formaction"):
            attributes = {"action": submitter.attributes["formaction"]}
        target = urllib.parse.urljoin(
            "http://localhost" + page_path, attributes.get("action", "").strip(_WHITESPACE)
        )
        parts = urllib.parse.urlsplit(target)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def method_for(self, submitter: Field | None = None) -> str:
        given = self.attributes.get("method", "get")
        if submitter is not None and submitter.has("formmethod"):
            given = submitter.attributes["formmethod"]
        return "POST" if given.strip(_WHITESPACE).lower() == "post" else "GET"

    @property
    def method(self) -> str:
        return self.method_for()

    @property
    def has_novalidate(self) -> bool:
        return "novalidate" in self.attributes

    def enctype_for(self, submitter: Field | None = None) -> str:
        given = self.attributes.get("enctype", "")
        if submitter is not None and submitter.has("formenctype"):
            given = submitter.attributes["formenctype"]
        given = given.strip(_WHITESPACE).lower()
        return given if given in (MULTIPART, "text/plain") else URLENCODED


@dataclass
class Submission:
    """What a browser sends when the form is submitted.

    ``fields`` are the text entries in order; ``files`` the file inputs in
    order, each with whether the block uploads a file for it (the others go
    as empty parts). A form sent with GET has its fields in ``path``.
    """

    method: str
    path: str
    enctype: str
    fields: list[tuple[str, str]]
    files: list[tuple[str, bool]]


class _FormReader(HTMLParser):
    """Every form of a page, with its fields and their values as the page sets them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._owned: list[tuple[Field, Form | None, str | None]] = []
        self._form: Form | None = None
        self._fieldsets: list[bool] = []  # disabled, for each open <fieldset>
        self._optgroup_disabled = False
        self._text: Field | None = None  # the <textarea> or <option> whose text is read
        self._select: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            if self._form is None:  # an HTML parser ignores a form inside a form
                self._form = Form(self.getpos()[0], values)
                self.forms.append(self._form)
        elif tag == "fieldset":
            self._fieldsets.append("disabled" in values or any(self._fieldsets))
        elif tag == "optgroup":
            self._optgroup_disabled = "disabled" in values
        elif tag == "option" and self._select is not None:
            self._option(values)
        elif tag in ("input", "button", "select", "textarea"):
            self._control(tag, values)

    def _control(self, tag: str, values: dict[str, str]) -> None:
        if tag == "input":
            kind = values.get("type", "text").strip().lower() or "text"
            default = "on" if kind in ("checkbox", "radio") else ""
            control = Field("", kind, values.get("value", default), checked="checked" in values)
        elif tag == "button":
            kind = values.get("type", "submit").strip().lower()
            kind = kind if kind in ("reset", "button") else "submit"
            control = Field("", kind, values.get("value", ""))
        else:
            control = Field("", tag, "")
        control.name = values.get("name", "")
        control.attributes = values
        control.disabled = "disabled" in values or any(self._fieldsets)
        control.line = self.getpos()[0]
        self._owned.append((control, self._form, values.get("form")))
        if tag == "select":
            self._select = control
        elif tag == "textarea":
            self._text = control

    def _option(self, values: dict[str, str]) -> None:
        assert self._select is not None
        option = Option(
            values.get("value", "\0"),  # "\0": no value attribute; its text is the value
            "selected" in values,
            "disabled" in values or self._optgroup_disabled,
        )
        self._select.options.append(option)
        self._text = Field("", "option", "")

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        elif tag == "optgroup":
            self._optgroup_disabled = False
        elif tag in ("option", "select", "textarea"):
            self._end_text(tag)

    def _end_text(self, tag: str) -> None:
        text = self._text
        if tag == "textarea" and text is not None and text.kind == "textarea":
            # HTML drops one newline right after <textarea> (WTForms writes one).
            value = text.value
            text.value = value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
        elif text is not None and text.kind == "option" and self._select is not None:
            option = self._select.options[-1]
            if option.value == "\0":
                option.value = " ".join(text.value.split(None))
        self._text = None
        if tag == "select":
            self._select = None

    def close(self) -> None:
        super().close()
        by_id = {form.attributes.get("id"): form for form in self.forms}
        for control, inside, owner in self._owned:
            form = inside if owner is None else by_id.get(owner)
            if form is not None:
                form.fields.append(control)
        for form in self.forms:
            _settle_radios_and_selects(form)


def _settle_radios_and_selects(form: Form) -> None:
    """One checked radio button per group (the last), one selected option per select."""
    groups: dict[str, Field] = {}
    for control in form.fields:
        if control.kind == "radio" and control.checked and control.name:
            if control.name in groups:
                groups[control.name].checked = False
            groups[control.name] = control
        elif control.kind == "select":
            _settle_select(control)


def _settle_select(select: Field) -> None:
    """The HTML standard's "selectedness setting algorithm", as a page first loads."""
    multiple = select.has("multiple")
    chosen = [option for option in select.options if option.selected]
    if not multiple and len(chosen) > 1:
        for option in chosen[:-1]:
            option.selected = False
    size = select.attributes.get("size", "")
    display_size = int(size) if size.isdigit() and int(size) > 0 else 1
    if not chosen and not multiple and display_size == 1:
        first = next((option for option in select.options if not option.disabled), None)
        if first is not None:
            first.selected = True


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


def _where(form: Form) -> str:
    return f"form {form.name} (line {form.line})"


def _check_names(
    form: Form, fields: tuple[tuple[str, str | bool], ...], uploads: tuple[str, ...]
) -> dict[str, list[Field]]:
    """The form's enabled controls by name; :class:`FormProblem` for a name it lacks."""
    known: dict[str, list[Field]] = {}
    for control in form.fields:
        if control.name and not control.disabled:
            known.setdefault(control.name, []).append(control)
    for name in [name for name, _ in fields] + list(uploads):
        if name not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise FormProblem(
                f"{_where(form)} has no field '{name}'; its fields are {listed}",
                "use a field the form has (a disabled one is never sent); "
                "the page's HTML source names them",
            )
    for name in uploads:
        if known[name][0].kind != "file":
            raise FormProblem(
                f"field '{name}' of {_where(form)} is not a file input "
                f'(<input type="file">) but {known[name][0].kind}',
                "send files only for the form's file inputs; put other values under 'fields'",
            )
    return known


def _submitter(
    form: Form, known: dict[str, list[Field]], given: dict[str, str | bool]
) -> Field | None:
    """The button the block presses (by its name, and value), else the form's first one."""
    pressed = [name for name in given if any(c.is_button for c in known[name])]
    if len(pressed) > 1:
        raise FormProblem(
            f"the block presses {len(pressed)} buttons of {_where(form)}: {', '.join(pressed)}",
            "a reader clicks one button: name one submit button under 'fields'",
        )
    if pressed:
        name, value = pressed[0], given[pressed[0]]
        buttons = [c for c in known[name] if c.is_button]
        chosen = buttons if isinstance(value, bool) else [c for c in buttons if c.value == value]
        if not chosen or not chosen[0].is_submit_button:
            values = ", ".join(repr(c.value) for c in buttons)
            raise FormProblem(
                f"{_where(form)} has no submit button '{name}' with value {value!r}; "
                f"its buttons '{name}' have the values {values}",
                f"press a submit button by its name and value, e.g. {name}: {buttons[0].value!r}, "
                f"or {name}: true for the first",
            )
        return chosen[0]
    first = next((c for c in form.fields if c.is_submit_button), None)
    return None if first is None or first.disabled else first


def _fill(
    form: Form, known: dict[str, list[Field]], given: dict[str, str | bool], raw: bool
) -> None:
    """Type the block's values in, tick its boxes, choose its radio buttons and options.

    ``raw``: the block sends its values as it gives them, even those a reader
    could not type (a client other than a browser could send them).
    """
    for name, value in given.items():
        controls = known[name]
        first = controls[0]
        if first.is_button:
            continue
        if first.kind == "checkbox" and isinstance(value, bool):
            for control in controls:
                control.checked = value
        elif first.kind in ("radio", "checkbox"):
            _choose_box(form, controls, value)
        elif first.kind == "select":
            _choose_option(form, first, value)
        else:
            first.value = first.value if isinstance(value, bool) else value
            first.attributes["\0dirty"] = ""  # typed by the reader: maxlength applies
            if raw:
                first.attributes["\0raw"] = ""


def _choose_box(form: Form, controls: list[Field], value: str | bool) -> None:
    chosen = [c for c in controls if c.value == value]
    if not chosen:
        values = ", ".join(repr(c.value) for c in controls)
        raise FormProblem(
            f"field '{controls[0].name}' of {_where(form)} has no {controls[0].kind} "
            f"with value {value!r}; its values are {values}",
            "choose one of those values (true/false tick or untick a single checkbox)",
        )
    for control in controls:
        control.checked = control in chosen or (control.kind == "checkbox" and control.checked)


def _choose_option(form: Form, select: Field, value: str | bool) -> None:
    allowed = [o for o in select.options if not o.disabled]
    chosen = [o for o in allowed if o.value == value]
    if not chosen:
        values = ", ".join(repr(o.value) for o in allowed) or "none"
        raise FormProblem(
            f"select '{select.name}' of {_where(form)} has no option {value!r} to choose; "
            f"its options' values are {values}",
            "choose an option the select has, by its value",
        )
    for option in select.options:
        option.selected = option is chosen[0] or (select.has("multiple") and option.selected)


def _clean(control: Field) -> str:
    """The value as the input's type keeps it (the HTML standard's value sanitization)."""
    value, kind = control.value, control.kind
    if "\0raw" in control.attributes:
        return value
    if kind in _TYPED:
        value = value.replace("\r", "").replace("\n", "")
    if kind == "email" and control.has("multiple"):
        return ",".join(part.strip(_WHITESPACE) for part in value.split(","))
    if kind in ("email", "url"):
        return value.strip(_WHITESPACE)
    if kind == "number":
        return value if _FLOAT.match(value) else ""
    if kind == "range":
        return _range_value(control)
    if kind == "color":
        # The standard's rule for anything but #rrggbb; Chromium reads CSS colour names too.
        return value.lower() if _COLOR.match(value) else "#000000"
    return value


def _range_value(control: Field) -> str:
    def number(name: str, default: float) -> float:
        given = control.attributes.get(name, "")
        return float(given) if _FLOAT.match(given) else default

    low, high = number("min", 0.0), number("max", 100.0)
    high = max(high, low)
    given = float(control.value) if _FLOAT.match(control.value) else low + (high - low) / 2
    value = min(max(given, low), high)
    return f"{value:g}" if value != int(value) else str(int(value))


def _crlf(text: str) -> str:
    """Every line break as CRLF, as a browser sends a form's names and values."""
    return re.sub(r"\r\n|\r|\n", "\r\n", text)


def _entries(
    form: Form, submitter: Field | None, uploads: tuple[str, ...], multipart: bool
) -> tuple[list[tuple[str, str]], list[tuple[str, bool]]]:
    """The HTML standard's "constructing the entry list": text entries, and file inputs.

    Outside a multipart body a file input sends its file's name as text: empty,
    since a form that is not multipart cannot carry the block's files.
    """
    texts: list[tuple[str, str]] = []
    files: list[tuple[str, bool]] = []
    for control in form.fields:
        if control.disabled or (control.is_button and control is not submitter):
            continue
        if control.kind in ("checkbox", "radio") and not control.checked:
            continue
        if control.kind == "image":
            prefix = f"{control.name}." if control.name else ""
            texts += [(prefix + "x", "0"), (prefix + "y", "0")]  # as pressing Enter sends
            continue
        if not control.name:
            continue
        if control.kind == "select":
            texts += [(control.name, o.value) for o in control.options if o.selected]
        elif control.kind == "file" and multipart:
            files.append((control.name, control.name in uploads))
        elif control.kind == "file":
            texts.append((control.name, ""))
        elif control.kind == "hidden" and control.name.lower() == "_charset_":
            texts.append((control.name, "UTF-8"))
        else:
            texts.append((control.name, _clean(control)))
        if control.attributes.get("dirname") and control.kind in (*_TYPED, "textarea"):
            texts.append((control.attributes["dirname"], "ltr"))
    return [(_crlf(name), _crlf(value)) for name, value in texts], files


def _length(text: str) -> int:
    """A string's length as JavaScript counts it (UTF-16 code units), a line break as one."""
    return len(text.replace("\r\n", "\n").encode("utf-16-le")) // 2


def _refusals(form: Form, uploads: tuple[str, ...]) -> list[str]:
    """Why a browser's constraint validation would not let the form be sent."""
    found: list[str] = []
    for control in form.fields:
        if control.disabled or control.kind in _BARRED or control.has("readonly"):
            continue
        value = _clean(control) if control.kind != "textarea" else control.value
        why = _missing(form, control, uploads) or _mismatch(control, value)
        if why:
            found.append(f"field '{control.name}' (line {control.line}) {why}")
    return found


def _missing(form: Form, control: Field, uploads: tuple[str, ...]) -> str:
    if control.kind == "radio":
        group = [c for c in form.fields if c.kind == "radio" and c.name == control.name]
        required = any(c.has("required") for c in group)
        if control is group[0] and required and not any(c.checked for c in group):
            return "is required and no radio button of it is chosen"
        return ""
    if not control.has("required"):
        return ""
    if control.kind == "checkbox":
        return "" if control.checked else "is required and not ticked"
    if control.kind == "file":
        return "" if control.name in uploads else "is required and no file is chosen"
    if control.kind == "select":
        chosen = [o for o in control.options if o.selected]
        placeholder = (
            not control.has("multiple") and control.options and control.options[0].value == ""
        )
        if not chosen or (placeholder and chosen == [control.options[0]]):
            return "is required and no option is chosen"
        return ""
    return "" if control.value else "is required and empty"


def _mismatch(control: Field, value: str) -> str:
    if not value:
        return ""
    attributes = control.attributes
    if control.kind == "email":
        parts = value.split(",") if control.has("multiple") else [value]
        if not all(_EMAIL.match(part) for part in parts):
            return f"is type=email and {value!r} is not an email address"
    if "pattern" in attributes and control.kind in _TYPED:
        parts = value.split(",") if control.kind == "email" and control.has("multiple") else [value]
        try:
            pattern = re.compile(attributes["pattern"])
        except re.error:  # a browser ignores a pattern it cannot compile
            return ""
        if not all(pattern.fullmatch(part) for part in parts):
            return f"does not match its pattern {attributes['pattern']!r}: {value!r}"
    low = attributes.get("minlength", "")
    typed = "\0dirty" in attributes and control.kind in (*_TYPED, "textarea")
    if typed and low.isdigit() and _length(value) < int(low):
        return f"needs at least {low} characters (minlength), not {value!r}"
    return ""


def _untypable(form: Form) -> list[str]:
    """The block's values that a reader could not type into their fields."""
    found: list[str] = []
    for control in form.fields:
        if "\0dirty" not in control.attributes:
            continue
        value, high = control.value, control.attributes.get("maxlength", "")
        why = ""
        if control.has("readonly") and control.kind in (*_TYPED, "number", "textarea"):
            why = f"is readonly, and a reader cannot type {value!r} into it"
        elif control.kind == "number" and value and not _FLOAT.match(value.strip(_WHITESPACE)):
            why = f"is type=number, and a reader cannot type {value!r} into it"
        elif control.kind in _TYPED and ("\n" in value or "\r" in value):
            why = f"holds one line, and a reader cannot type the line break of {value!r}"
        elif (
            control.kind in (*_TYPED, "textarea") and high.isdigit() and _length(value) > int(high)
        ):
            why = f"takes at most {high} characters (maxlength): a reader cannot type {value!r}"
        if why:
            found.append(f"field '{control.name}' (line {control.line}) {why}")
    return found


def submitted(
    page: str,
    page_path: str,
    selector: str | None,
    fields: tuple[tuple[str, str | bool], ...],
    uploads: tuple[str, ...] = (),
    novalidate: bool = False,
) -> Submission:
    """What a browser sends to post ``selector``'s form of ``page``, the HTML at ``page_path``.

    The block's ``fields`` are filled in and its ``uploads`` (file inputs'
    names) chosen. :class:`FormProblem` when the form or a field is missing,
    or when a browser would refuse to send the form (and ``novalidate`` is false).
    """
    form = choose(forms_of(page), selector, page_path)
    given = dict(fields)
    known = _check_names(form, fields, uploads)
    submitter = _submitter(form, known, given)
    _fill(form, known, given, raw=novalidate)
    skip = novalidate or form.has_novalidate
    skip = skip or (submitter is not None and submitter.has("formnovalidate"))
    refused = ([] if novalidate else _untypable(form)) + ([] if skip else _refusals(form, uploads))
    if refused:
        raise FormProblem(
            f"a browser would not send {_where(form)}: " + "; ".join(refused),
            "fill the fields in as a reader could; if the page means to show what the "
            "server answers to such a form, add 'novalidate: true' to the submit",
        )
    method, enctype = form.method_for(submitter), form.enctype_for(submitter)
    if method == "POST" and enctype == "text/plain":
        raise FormProblem(
            f"{_where(form)} is sent as text/plain, which Werkzeug does not read as a form",
            'send it as a browser sends a form to a server: remove enctype="text/plain"',
        )
    if uploads and (method == "GET" or enctype != MULTIPART):
        raise FormProblem(
            f"{_where(form)} is sent "
            + ("with GET" if method == "GET" else f"as {enctype}")
            + ", which cannot carry files (a browser sends only the file's name)",
            'give the form method="post" and enctype="multipart/form-data"',
        )
    multipart = method == "POST" and enctype == MULTIPART
    texts, files = _entries(form, submitter, uploads, multipart)
    action = form.action(page_path, submitter)
    if method == "GET":
        query = urllib.parse.urlencode(texts)
        path = urllib.parse.urlsplit(action).path + (f"?{query}" if query else "")
        return Submission("GET", path, URLENCODED, [], [])
    return Submission("POST", action, enctype, texts, files)
