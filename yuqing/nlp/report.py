"""Evaluation reports: a plain-text summary for the terminal, Markdown or HTML for a file."""

from __future__ import annotations

import html
from pathlib import Path

from yuqing.atomic import write_atomic
from yuqing.nlp.metrics import Evaluation

SHORT = {
    "construction": "constr",
    "life_services": "life",
    "aquaculture": "aqua",
    "characteristic_industry": "charact",
    "industrial_park": "park",
    "quarrying_mining": "quarry",
    "urban_management": "urban",
    "scattered_pollution": "scatter",
    "other": "other",
}


def _tables(ev: Evaluation) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table in the report."""
    tables = []
    rows = [
        [t, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support)]
        for t, s in ev.flags.items()
    ]
    if ev.confusion:
        rows.append(["sector (macro)", "", "", f"{ev.sector_macro_f1:.3f}", str(ev.n)])
        rows.append(["sector (weighted)", "", "", f"{ev.sector_weighted_f1:.3f}", str(ev.n)])
    if ev.district_n:
        rows.append(
            ["district (accuracy)", "", "", f"{ev.district_accuracy:.3f}", str(ev.district_n)]
        )
    tables.append(("Tags", ["tag", "precision", "recall", "F1", "support"], rows))
    if ev.confusion:
        per = [
            [s, f"{b.precision:.3f}", f"{b.recall:.3f}", f"{b.f1:.3f}", str(b.support)]
            for s, b in ev.sector_scores().items()
        ]
        tables.append(("Sector", ["sector", "precision", "recall", "F1", "support"], per))
        head = ["true \\ predicted", *(SHORT.get(s, s) for s in ev.sector_labels)]
        matrix = [
            [s, *(str(v) for v in row)]
            for s, row in zip(ev.sector_labels, ev.confusion, strict=True)
        ]
        tables.append(("Sector confusion matrix", head, matrix))
    if ev.worst:
        rows = [[m.tag, m.kind, m.id, f"{m.score:.3f}", m.evidence[:80], m.title] for m in ev.worst]
        head = ["tag", "error", "id", "score", "evidence", "title"]
        tables.append(("Worst errors (most confident first)", head, rows))
    return tables


def text_summary(ev: Evaluation) -> str:
    lines = []
    for title, head, rows in _tables(ev):
        widths = [max(len(str(c)) for c in col) for col in zip(head, *rows, strict=True)]
        lines.append(f"{title}:")
        for r in [head, *rows]:
            lines.append(
                "  "
                + "  ".join(
                    c.rjust(w) if i else c.ljust(w)
                    for i, (c, w) in enumerate(zip(r, widths, strict=True))
                )
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _errors(ev: Evaluation, limit: int) -> list[list[str]]:
    out = []
    for e in ev.errors[:limit]:
        for tag, (truth, pred) in ((k, v) for k, v in e.items() if k != "id"):
            out.append([str(e["id"]), tag, str(truth), str(pred)])
    return out


def markdown(ev: Evaluation, title: str, facts: dict[str, str], errors: int = 50) -> str:
    out = [f"# {title}", ""]
    out += [f"- {k}: {v}" for k, v in facts.items()] + [""]
    tables = _tables(ev)
    if ev.errors:
        tables.append(
            (
                f"First errors (up to {errors} posts)",
                ["id", "tag", "label", "predicted"],
                _errors(ev, errors),
            )
        )
    for name, head, rows in tables:
        out += [
            f"## {name}",
            "",
            "| " + " | ".join(head) + " |",
            "|" + "|".join("---" for _ in head) + "|",
        ]
        out += ["| " + " | ".join(r) + " |" for r in rows] + [""]
    return "\n".join(out)


def html_report(ev: Evaluation, title: str, facts: dict[str, str], errors: int = 50) -> str:
    e = html.escape
    out = [
        "<!doctype html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}"
        "td:first-child,th:first-child{text-align:left}</style></head><body>",
        f"<h1>{e(title)}</h1><ul>",
    ]
    out += [f"<li>{e(k)}: {e(v)}</li>" for k, v in facts.items()] + ["</ul>"]
    tables = _tables(ev)
    if ev.errors:
        tables.append(
            (
                f"First errors (up to {errors} posts)",
                ["id", "tag", "label", "predicted"],
                _errors(ev, errors),
            )
        )
    for name, head, rows in tables:
        out.append(
            f"<h2>{e(name)}</h2><table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"
        )
        out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_report(path: Path, ev: Evaluation, title: str, facts: dict[str, str]) -> None:
    """HTML when ``path`` ends in .html/.htm, Markdown otherwise."""
    if path.suffix.lower() in (".html", ".htm"):
        body = html_report(ev, title, facts)
    else:
        body = markdown(ev, title, facts)
    write_atomic(path, body)
