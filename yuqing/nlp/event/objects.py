"""What a trigger stops (a reading of the shutdown context).

Decides ``Trigger.object``: the kind of thing named nearest the trigger in its window —
``business`` (厂 / 店 / 养殖 / 工地 …), ``household`` (房屋 / 住宅 / 我家 …), ``structure``
(违建 / 围墙 / 招牌 / 基站 …), ``person`` (教师 / 职工 / 学生 …) or ``none`` — and
``Trigger.goods`` (goods, money or vehicles named where no object is: 查封一批货物). Example:
我家的砖厂被责令停产 is ``business`` (a business named almost as near as the home wins).
"""

from __future__ import annotations

import re

BUSINESS_SLACK = 6
_OBJECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "household",
        re.compile(
            r"住宅|住房|房屋|房子|民房|祖居|老屋|老房|我家|他家|家中|家里|宿舍|居民楼|自建房|"
            r"住户|居住|安置|拆迁户|征收|拆迁|楼房|平房|宅基地|屋里|该房|此房|房产|祖屋|建房|私宅|供水|供电|供气|供暖"
        ),
    ),
    (
        "structure",
        re.compile(
            r"违建|违章|违法建筑|违法建设|违法搭建|围墙|栏杆|护栏|招牌|牌匾|广告牌|基站|雨棚|"
            r"防盗网|阳台|屋顶|围挡|减速带|模板|管道|屋基|墙体|花园|台阶|车棚|铁门|地锁|"
            r"隔断|阳光房|彩钢|铁皮房|菜园|坟|亭|帐篷|遮阳|纪念|雕塑|路灯|树|大门|侧门|入口|通道|车库|"
            r"店招|门头|牌子|灯箱"
        ),
    ),
    (
        "person",
        re.compile(
            r"教师|老师|代课|职工|员工|临时工|学生|干部|村官|书记|主任|局长|校长|"
            r"出借人|会员|合同工|民警|保安|保洁|辅警|协警|村医|编外"
        ),
    ),
    (
        "business",
        re.compile(
            r"厂|企业|公司|店|门面|门市|商户|商铺|铺面|摊|作坊|养殖|猪场|鸡场|牛场|羊场|鱼塘|"
            r"工地|项目|工程|矿|砂场|石场|采石|砖|窑|超市|饭店|餐馆|酒店|网吧|加工|车间|"
            r"生产线|合作社|生意|市场|培训|幼儿园|诊所|加油站|搅拌站|场子|烧锅|油坊|"
            r"生产|营业|经营|开工|施工|园区|(?<!宅)基地|宾馆|旅馆|浴池|洗浴|KTV|ktv|歌厅|机构|"
            r"办公室|办学|会所|舞厅|茶楼|馆|厂房|网点|驾校|档口|车行|汽修|网贷|平台"
        ),
    ),
)
# Goods, money and vehicles: what a seizure takes when no business is named (查封一批货物,
# 扣押车辆).
GOODS = re.compile(
    r"肉|货物|货品|商品|产品|物品|药品|冻品|物资|车辆|货车|车子|账户|存款|资金|财产|资产|"
    r"手机|电脑|证件|钱款|现金|赃物|原料|原材料"
)


def read_object(window: str, at: int) -> str:
    """The nearest kind of thing named around the trigger; a business named almost as near
    (within BUSINESS_SLACK more characters) wins: 我家的砖厂被…停产 is a business."""
    nearest: dict[str, int] = {}
    for name, pattern in _OBJECTS:
        for m in pattern.finditer(window):
            d = at - m.end() if m.end() <= at else m.start() - at
            nearest[name] = min(d, nearest.get(name, d))
    if not nearest:
        return "none"
    best = min(nearest, key=lambda n: nearest[n])
    if (
        "business" in nearest
        and best in ("household", "person")  # a shop's sign or railing stays a structure
        and nearest["business"] <= nearest[best] + BUSINESS_SLACK
    ):
        return "business"
    return best
