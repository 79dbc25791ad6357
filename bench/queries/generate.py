"""Synthetic posts for the query benchmark: deterministic, Chinese, tagged, fast to make.

Texts are assembled from phrase pools (districts, sectors, shutdown and complaint phrasing,
filler) so that jieba and the n-gram index see realistic words; about 2 % mention 一刀切.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from yuqing.config import load
from yuqing.store.posts import TagRecord

# The districts come from the shipped gazetteer, the one list of them.
DISTRICTS = load(env={}).gazetteer.district_names()
SECTORS = {
    "construction": ["工地", "施工项目", "道路工程", "搅拌站"],
    "life_services": ["烧烤店", "餐饮店", "洗车店", "汽修厂", "干洗店"],
    "aquaculture": ["养猪场", "鱼塘", "养鸡场", "牛场"],
    "characteristic_industry": ["大豆加工厂", "乳品厂", "酒厂", "肉类加工厂"],
    "industrial_park": ["园区企业", "化工厂", "开发区工厂"],
    "quarrying_mining": ["采石场", "砖厂", "砂石场"],
    "urban_management": ["夜市", "占道经营", "违建"],
    "scattered_pollution": ["小作坊", "小加工点"],
    "other": ["小区", "公园", "学校"],
}
SHUTDOWN = ["被关停", "被要求停产", "停业整顿", "被查封", "断水断电", "被取缔"]
BLANKET = ["一刀切", "全部关停", "一律停产", "整条街都关了"]
COMPLAINT = ["请有关部门给个说法", "我们要投诉", "谁来管管", "希望领导重视", "诉求无人回应"]
FILLER = [
    "今天天气不错",
    "听说最近在搞环保督察",
    "附近的居民都很关心",
    "老板说损失很大",
    "我们证照齐全合法经营",
    "已经营业十多年了",
    "员工工资发不出来",
    "周边环境确实有问题",
    "希望能够依法依规处理",
    "下午有工作人员来检查",
    "门口贴了通知",
    "大家都在议论这件事",
]


@dataclass
class Fake:
    key: str
    title: str
    text: str
    published_at: datetime
    sector: str
    district: str | None
    shutdown: bool
    blanket: bool
    complaint: bool


def posts(n: int, days: int, end: datetime, seed: int = 6) -> Iterator[Fake]:
    rng = random.Random(seed)
    sector_names = list(SECTORS)
    span = days * 86400
    for i in range(n):
        sector = rng.choice(sector_names)
        place = rng.choice(SECTORS[sector])
        district = rng.choice(DISTRICTS) if rng.random() < 0.8 else None
        shutdown = rng.random() < 0.25
        blanket = shutdown and rng.random() < 0.08
        complaint = rng.random() < 0.3
        parts = [district or "", place]
        if shutdown:
            parts.append(rng.choice(SHUTDOWN))
        if blanket:
            parts.append(rng.choice(BLANKET))
        parts += rng.sample(FILLER, 3)
        if complaint:
            parts.append(rng.choice(COMPLAINT))
        text = "，".join(p for p in parts if p) + "。"
        title = f"{district or ''}{place}{'停业' if shutdown else '情况'}反映"
        yield Fake(
            key=f"b{i}",
            title=title,
            text=text,
            published_at=end - timedelta(seconds=rng.randrange(span)),
            sector=sector,
            district=district,
            shutdown=shutdown,
            blanket=blanket,
            complaint=complaint,
        )


END = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)


def tag_record(p: Fake) -> TagRecord:
    """The tags a fake post is stored with (fixed scores; the model is not run)."""
    return TagRecord(
        "bench", p.shutdown, 0.9, p.blanket, p.complaint, 0.8, p.sector, 0.9, p.district, False
    )
