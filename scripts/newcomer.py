#!/usr/bin/env python3
"""Walks the running demo the way a newcomer does, through the pages as they
are rendered: sign in as the demo employee with the real sign-in form,
follow the start page's link to "Mag dit?", submit an anonymous report on
the public form, and open its mailbox with the receipt.

Only the standard library: forms are read from the HTML (every input,
select and textarea with its rendered value) and submitted as a browser
would, cookies kept, redirects followed.

Usage: newcomer.py BASE_URL   (for example http://127.0.0.1:8080)
Exit code 0 when every step works; 1 with the failing step otherwise.
"""

import html.parser
import http.cookiejar
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid


class FormReader(html.parser.HTMLParser):
    """Collects forms, their fields and the page's links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.links = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "enctype": a.get("enctype", "application/x-www-form-urlencoded"),
                "fields": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "input" and "name" in a and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            self._form["fields"].append(
                {
                    "name": a["name"],
                    "type": kind,
                    "value": a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                    "checked": "checked" in a,
                }
            )
        elif tag == "select" and "name" in a:
            self._select = {"name": a["name"], "type": "select", "options": [], "value": None}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._select["options"].append(value)
            if "selected" in a or self._select["value"] is None:
                self._select["value"] = value
        elif tag == "textarea" and "name" in a:
            self._textarea = {"name": a["name"], "type": "textarea", "value": ""}
            self._form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read(html_text):
    reader = FormReader()
    reader.feed(html_text)
    return reader


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.url = base

    def open(self, url, data=None, headers=None):
        url = urllib.parse.urljoin(self.url, url)
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as r:
                self.url = r.geturl()
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            self.url = e.geturl()
            return e.code, e.read().decode("utf-8", "replace")

    def submit(self, form, values):
        """Submits `form` with its rendered values, `values` set on top."""
        pairs = []
        radios_done = set()
        for f in form["fields"]:
            name = f["name"]
            if name in values:
                if name not in radios_done:
                    pairs.append((name, values[name]))
                    radios_done.add(name)
                continue
            if f["type"] in ("checkbox", "radio"):
                if f["checked"]:
                    pairs.append((name, f["value"]))
            elif f["type"] == "file":
                continue
            elif f["value"] is not None:
                pairs.append((name, f["value"]))
        action = form["action"] or self.url
        if form["method"] == "get":
            url = urllib.parse.urljoin(self.url, action)
            return self.open(url.split("?")[0] + "?" + urllib.parse.urlencode(pairs))
        if form["enctype"] == "multipart/form-data":
            boundary = "----newcomer" + uuid.uuid4().hex
            body = b""
            for name, value in pairs:
                body += (
                    f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                ).encode() + value.encode() + b"\r\n"
            body += f"--{boundary}--\r\n".encode()
            headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
            return self.open(action, body, headers)
        body = urllib.parse.urlencode(pairs).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.open(action, body, headers)


def form_with(page, predicate, what):
    for f in read(page).forms:
        if predicate(f):
            return f
    fail(f"{what}: no such form on the page")


def fail(message):
    print(f"FOUT / FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"ok: {message}")


def main():
    base = sys.argv[1].rstrip("/")
    # 1. The demo employee signs in through the sign-in form.
    employee = Browser(base)
    status, page = employee.open("/")
    status, page = employee.open("/inloggen")
    check(status == 200, "the sign-in page opens")
    login = form_with(page, lambda f: f["action"] == "/inloggen", "sign-in")
    orgs = next(f for f in login["fields"] if f["name"] == "organisatie")["options"]
    check("maastricht" in orgs, "the sign-in form offers the demo organisations")
    status, page = employee.submit(
        login,
        {"organisatie": "maastricht", "email": "medewerker@maastricht.demo", "wachtwoord": "demo"},
    )
    check(status == 200 and "/inloggen" not in employee.url, f"signed in (now at {employee.url})")
    # 2. "Mag dit?" from the start page's own link.
    status, page = employee.open("/")
    mayi = [h for h in read(page).links if h.split("?")[0] == "/mag-dit"]
    check(mayi, "the start page links to Mag dit?")
    status, page = employee.open(mayi[0])
    kinds = form_with(page, lambda f: any(x["name"] == "soort" for x in f["fields"]), "Mag dit?")
    check(status == 200, "Mag dit? opens with its choice of subjects")
    first_kind = next(x["value"] for x in kinds["fields"] if x["name"] == "soort")
    status, page = employee.submit(kinds, {"soort": first_kind})
    check(status == 200 and "/mag-dit/vragen" in employee.url, "Mag dit? asks its first question")
    # 3. An anonymous report on the public form, without an account.
    reporter = Browser(base)
    status, page = reporter.open("/o/maastricht/melden")
    check(status == 200, "the public report form opens")
    form = form_with(page, lambda f: any(x["name"] == "melding" for x in f["fields"]), "report")
    values = {"melding": "Een nieuwkomer meldt iets om het systeem te proberen.", "identiteit": "anonymous"}
    if any(x["name"] == "onderwerp" for x in form["fields"]):
        values["onderwerp"] = "Proefmelding"
    status, page = reporter.submit(form, values)
    check(status == 200 and 'data-code="' in page, "the report is received and a receipt code shown")
    code = page.split('data-code="', 1)[1].split('"', 1)[0]
    check(len(code) >= 16, "the receipt code looks like one")
    # 4. The mailbox opens with the receipt.
    mailbox_links = [h for h in read(page).links if "/postbus" in h]
    check(mailbox_links, "the receipt links to the mailbox")
    status, page = reporter.open(mailbox_links[0])
    login = form_with(page, lambda f: any(x["name"] == "code" for x in f["fields"]), "mailbox sign-in")
    status, page = reporter.submit(login, {"code": code})
    check(status == 200 and "nieuwkomer" in page, "the mailbox opens and shows the report")
    print("newcomer walk: all steps passed")


if __name__ == "__main__":
    main()
