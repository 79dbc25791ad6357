"""The digests: the list (newest first, by department and daily/weekly) and one digest, at
the address the digest itself links to (``/digests/<period>/<day>/<department>``, built by
:func:`yuqing.alerts.digest_view.digest_url`).

Read-only pages, like the inbox and the incident page: no forms that change anything, and no
audit-log entry for reading (only exports and SQL queries are logged as reads).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from yuqing.app.web.deps import get_web, incident_reader
from yuqing.app.web.digests import (
    PERIODS,
    DigestFilter,
    department_options,
    digest_charts,
    digest_list,
    digest_or_404,
)
from yuqing.app.web.render import CurrentUser, render

router = APIRouter()
Reader = Annotated[CurrentUser, Depends(incident_reader)]  # who reads incidents reads digests


@router.get("/digests")
def digests_page(request: Request, user: Reader) -> Response:
    web = get_web(request)
    options = department_options(user, web)
    f = DigestFilter.parse(dict(request.query_params), [c for c, _ in options])
    with web.db.session() as s:
        rows, has_next = digest_list(s, user, web, f)
    return render(
        request,
        "digests.html",
        {"f": f, "rows": rows, "has_next": has_next, "options": options, "periods": PERIODS},
    )


@router.get("/digests/{period}/{day}/{code}")
def digest_page(request: Request, user: Reader, period: str, day: str, code: str) -> Response:
    web = get_web(request)
    with web.db.session() as s:
        page = digest_or_404(s, user, web, period, day, code)
    return render(
        request,
        "digest.html",
        {
            "d": page.row,
            "data": page.data,
            "v": page.data["view"] if page.data else None,
            "charts": digest_charts(page.data) if page.data else None,
            "text": page.text,
        },
    )
