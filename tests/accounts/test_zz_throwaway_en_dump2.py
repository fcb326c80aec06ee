import re
import pytest
from django.urls import reverse
from django.utils import translation
from tests.factories import ListingFactory, UserFactory


def _text(html):
    html = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", "", html)
    html = re.sub(r'(aria-label|alt|placeholder|title)="([^"]*)"', r'>[\1: \2]<', html)
    text = re.sub(r"<[^>]+>", " ", html)
    return "\n".join(l.strip() for l in re.sub(r"[ \t]+", " ", text).splitlines() if l.strip())


@pytest.mark.django_db
def test_dump(client):
    out = []
    def get(url, **kw):
        r = client.get("/en" + url, follow=True, **kw) if not kw.get("post") else None
        out.append(f"===== {url} {r.status_code}\n" + _text(r.content.decode().split('<main', 1)[-1]))
    with translation.override("nl"):
        urls = {n: reverse(n) for n in ["accounts:login", "accounts:signup", "accounts:password_reset", "accounts:become_seller", "checkout:cart"]}
    get(urls["accounts:login"])
    r = client.post("/en" + urls["accounts:signup"], {"email": "x@example.test", "password": "short", "password_confirm": "other"})
    out.append("===== signup errors\n" + _text(r.content.decode().split('<main', 1)[-1]))
    r = client.post("/en" + urls["accounts:login"], {"username": "x@example.test", "password": "nope"})
    out.append("===== login errors\n" + _text(r.content.decode().split('<main', 1)[-1]))
    get(urls["accounts:password_reset"])
    user = UserFactory()
    client.force_login(user)
    get(urls["accounts:become_seller"])
    listing = ListingFactory()
    client.post("/en" + reverse("checkout:add", args=[listing.pk]))
    get(urls["checkout:cart"])
    open("/tmp/i18nwork/dump_accounts_en.txt", "w").write("\n".join(out))
