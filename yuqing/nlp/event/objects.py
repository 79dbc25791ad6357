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


# What a stop word stops when it is plainly no business (issue 11, shutdown 5th pass): read
# from the words right around the trigger, for Trigger.strong / stop_event only (not a model
# feature, so the model needs no retrain). Each is a phenomenon of real posts outside realdev:
# - ``utility``: a household's water, power or gas cut (住户被停水, 停了居民用电) — a business
#   named in the sentence keeps it a business stop (养殖场被停水停电 is the 断水断电 of the
#   spec; 我家的作坊…给断了电);
# - ``procedure``: a tender, a payment or an application stopped (被停止投标资格, 暂停审批);
# - ``road``: a road or a passage closed or blocked (门前那条路被封了, 道路被堵);
# - ``door``: a door closed or walled up (叫他把这扇门关了, 将门封闭);
# - ``appliance``: a lamp or an appliance switched off (楼道灯都关了, 监控被关了);
# - ``captive``: people or papers seized (上访的村民被扣押, 证件被对方扣押);
# - ``home``: a home or a private villa pulled down (强征强拆, 违建别墅被强拆), or
#   residents' own building works stopped (几户居民加固外墙…被叫停; 村民建房被叫停).
_UTILITY_AFTER = re.compile(
    r"(?:了|掉|止)?(?:居民|住户|我家|家里|我们)?(?:用)?(?:[水电气暖]|网络|宽带)"
)
# whose water or power: a household or the utility that cuts it (not 环保…给断了电, a business's)
_UTILITY_SIDE = re.compile(
    r"居民|住户|用户|每户|各户|小区|业主|我家|家里|家中|全家|自来水|水务|供水|供电|电力公司|"
    r"燃气|移动|联通|电信|物业|电梯"
)
_PROVIDER = re.compile(r"(?:自来水|水务|供水|供电|电力|燃气|物业|移动|联通|电信)(?:公司|集团)")
# a stop of a payment, a benefit or a procedure right after a plain stop word (被停止投标资格,
# 停了医保); 停产 / 停工 / 停业 name a business stop themselves (停产期间的社保 stays one)
_PROCEDURE_AFTER = re.compile(
    r"(?:止|了)?(?:参与|参加|投标|招标|开标|评标|竞标|审批|办理|发放|拨付|支付|报名|录取|资格|"
    r"评选|招生|补贴|低保|社保|医保|工资|贷款|户口|办证|签约|电话)"
)
_PLAIN_STOP = re.compile(r"^(?:被|给)?(?:暂)?停(?:了|止)?$")
_ROAD_BEFORE = re.compile(
    r"(?:道路|马路|公路|路段|路口|小路|巷子|街巷|[^\W\d_a-z]路)(?:已经|已|都|也|又|就)?(?:被|给)?"
    r"[^，,。；;！!？?]{0,3}$"
)
# a lamp or an appliance switched off (房间的灯被关掉了, 空调给停了); not 设备 /
# 机器 (生产设备全停了 is a factory's stop)
_APPLIANCE_BEFORE = re.compile(
    r"(?:灯|空调|电视|电脑|电源|电梯|水龙头|阀门|开关|暖气|风扇|监控|摄像头|热水|音响|广播|喇叭)"
    r"(?:都|也|全|又|就|已经|已)?(?:被|给)?[^，,。；;！!？?]{0,2}$"
)
_DOOR_BEFORE = re.compile(r"[把将](?:这|那|该)?(?:[个扇道])?门[^，,。；;]{0,2}$")
_SEIZE = re.compile(r"扣押|暂扣|扣留|没收|关押")
# people or papers seized: named before the passive (受害人被…扣押, 材料被…扣押) or right
# after the seizure (扣押了某某的身份证); not the officers who seize (执法人员暂扣…)
_TAKEN = r"(?:群众|受害人|百姓|村民|家属|维权|上访|资料|材料|文件|证件|公章|合同|票据|身份证)"
_CAPTIVE_BEFORE = re.compile(_TAKEN + r"[^，,。；;被]{0,12}被[^，,。；;被]{0,12}$")
_CAPTIVE_AFTER = re.compile(r"^了?[^，,。；;]{0,4}" + _TAKEN)
_HOME = re.compile(r"强征|民宅|公馆|别墅|农房|自住|祖宅|私宅|住宅|房屋|房子")
_DEMOLISH = re.compile(r"拆")
# residents' own building works stopped: 居民…进行改造…被叫停, 村民建房被叫停
_HOME_WORKS = re.compile(
    r"(?:居民|住户|业主|村民|农户|我家|我们家)[^。；;！!？?]{0,24}"
    r"(?:改造|建房|修房|装修|修缮|翻修|翻建|维修|加固)[^。；;！!？?]*$"
)
_BUSINESS = dict(_OBJECTS)["business"]


def _named_before(pattern: re.Pattern[str], before: str) -> bool:
    """A thing named right before the stop word, with no business word in it or after it
    (路边摊被取缔 and 电梯厂被关停 stay business stops)."""
    m = pattern.search(before)
    return m is not None and not _BUSINESS.search(before[m.start() :])


def stopped_thing(norm: str, start: int, end: int, s0: int, s1: int) -> str:
    """The kind of thing a stop word at ``norm[start:end]`` (its sentence ``norm[s0:s1]``)
    plainly stops when that is no business (see above), or ``""``."""
    term = norm[start:end]
    before = norm[max(s0, start - 12) : start]
    after = norm[end : min(s1, end + 8)]
    near = norm[max(s0, start - 8) : min(s1, end + 8)]
    business = list(_BUSINESS.finditer(near))
    at = start - max(s0, start - 8)

    def business_within(d: int) -> bool:
        return any(
            (at - m.end() if m.end() <= at else m.start() - (at + len(term))) <= d for m in business
        )

    if re.search(r"[停断]", term) and _UTILITY_AFTER.match(after):
        side = norm[max(s0, start - 30) : min(s1, end + 30)]
        if _UTILITY_SIDE.search(side) and not _BUSINESS.search(_PROVIDER.sub("", side)):
            return "utility"
    if _PLAIN_STOP.match(term) and _PROCEDURE_AFTER.match(after):
        return "procedure"
    if re.search(r"封|堵|断|拦", term) and _named_before(_ROAD_BEFORE, before):
        return "road"
    if re.search(r"关|封", term) and _named_before(_DOOR_BEFORE, before):
        return "door"
    if re.search(r"关|停", term) and _named_before(_APPLIANCE_BEFORE, before):
        return "appliance"
    if _SEIZE.search(term) and (
        _CAPTIVE_BEFORE.search(norm[max(s0, start - 30) : start])
        or _CAPTIVE_AFTER.match(norm[end : min(s1, end + 10)])
    ):
        return "captive"
    home = _HOME.search(norm[max(s0, start - 14) : start]) if _DEMOLISH.search(term) else None
    if home:
        # a business named near keeps it one (养殖场的房子被强拆), unless the home word holds it
        # (公馆) or is decisive (强征: land and homes taken)
        lo = max(s0, start - 14) + home.start() - max(s0, start - 8)
        hi = lo + len(home.group())
        business = [m for m in business if m.end() <= lo or m.start() >= hi]
        return "" if home.group() != "强征" and business_within(8) else "home"
    if "停" in term:
        works = _HOME_WORKS.search(norm[max(s0, start - 48) : start])
        if works and not _BUSINESS.search(works.group()):
            return "home"
    return ""
