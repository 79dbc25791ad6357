"""``yuqing deploy``: build the project egg and upload it to every Scrapyd node
(``addversion.json``), as scrapyd-client's ``scrapyd-deploy`` does.

The egg holds the ``yuqing`` package (code and shipped YAML; no models, no data) and the entry
point Scrapyd reads (``[scrapy] settings = yuqing_eggboot``: it unpacks the egg, whose YAML
yuqing reads as files, then loads ``yuqing.crawler.settings``; see :mod:`.eggboot`). A node
needs yuqing's dependencies installed (``pip install 'yuqing[fleet]'``) and, in its
environment, the shared database, the config directory and the data dir with the models
(docs/deploy.md).
"""

from __future__ import annotations

import io
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yuqing
from yuqing.app.fleet.client import NodeError, ScrapydClient
from yuqing.config.crawl import CrawlSettings, ScrapydNode

SKIP_DIRS = {"__pycache__", "demo_site"}
SKIP_SUFFIXES = {".pyc", ".pyo"}
BOOT = "yuqing_eggboot"  # the egg's Scrapy settings module (yuqing/app/fleet/eggboot.py)


def default_version() -> str:
    """A version Scrapyd sorts after the earlier ones (UTC time, digits only)."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime())


def build_egg(version: str) -> bytes:
    root = Path(yuqing.__file__).resolve().parent
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as egg:
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root.parent)
            if path.is_dir() or SKIP_DIRS & set(rel.parts) or path.suffix in SKIP_SUFFIXES:
                continue
            egg.write(path, rel.as_posix())
        egg.writestr(
            "EGG-INFO/PKG-INFO", f"Metadata-Version: 2.1\nName: yuqing\nVersion: {version}\n"
        )
        # the settings module unpacks the egg first: yuqing reads its YAML as files (eggboot.py)
        egg.write(root / "app" / "fleet" / "eggboot.py", f"{BOOT}.py")
        egg.writestr("EGG-INFO/entry_points.txt", f"[scrapy]\nsettings = {BOOT}\n")
        egg.writestr("EGG-INFO/top_level.txt", f"yuqing\n{BOOT}\n")
        egg.writestr("EGG-INFO/zip-safe", "")
    return buf.getvalue()


@dataclass
class Deployed:
    node: str
    spiders: int = 0
    error: str = ""
    removed: list[str] = field(default_factory=list)  # older versions deleted from the node
    warning: str = ""  # uploaded, but something the operator should know


KEEP = 2  # versions left on a node by default: the new one and the previous (to roll back)


def prune(client: ScrapydClient, project: str, version: str, keep: int) -> Deployed:
    """After ``version`` was uploaded: delete all but the ``keep`` last versions on the node
    (Scrapyd runs the last one; a running crawl has its own copy of its egg). 0: keep all."""
    result = Deployed(client.name)
    versions = client.listversions(project)
    if versions and versions[-1] != version:
        result.warning = (
            f"the node runs version {versions[-1]}, which sorts after {version} "
            "(use a later --version to roll back)"
        )
    if keep <= 0:
        return result
    for old in versions[:-keep]:
        if old != version:
            client.delversion(project, old)
            result.removed.append(old)
    return result


def deploy(crawl: CrawlSettings, version: str, egg: bytes, keep: int = KEEP) -> list[Deployed]:
    """Upload ``egg`` as ``version`` of the project to every node, in parallel (a node down
    or hung delays no other), then delete the node's versions but the ``keep`` last; one
    result per node, in the configured order."""

    def upload(node: ScrapydNode) -> Deployed:
        client = ScrapydClient(node)
        try:
            spiders = client.addversion(crawl.project, version, egg)
        except NodeError as exc:
            return Deployed(node.name, error=str(exc))
        try:
            result = prune(client, crawl.project, version, keep)
        except NodeError as exc:
            result = Deployed(node.name, warning=f"old versions not removed: {exc}")
        result.spiders = spiders
        return result

    if len(crawl.nodes) <= 1:
        return [upload(node) for node in crawl.nodes]
    with ThreadPoolExecutor(
        max_workers=min(8, len(crawl.nodes)), thread_name_prefix="deploy"
    ) as pool:
        return list(pool.map(upload, crawl.nodes))
