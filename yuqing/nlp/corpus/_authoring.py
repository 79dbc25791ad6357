# ruff: noqa: E501, T201, RUF005  (an authoring script made of long Chinese text fragments)
# mypy: ignore-errors
"""Authoring script for the labeled corpus (posts.csv).

This is NOT part of the build: the committed posts.csv is the dataset. The script is kept so
that anyone can see how the synthetic part was composed and regenerate it deliberately.

    python yuqing/nlp/corpus/_authoring.py            # rewrites posts.csv
    python yuqing/nlp/corpus/_authoring.py --stats    # prints the distribution tables

Every post is composed from hand-written fragments for one *scenario* (what happened) and one
*style* (who writes and where). Labels follow from the scenario, never from the style:
the same scenario is rendered as a letter, a Weibo post, a forum thread, a news report or a
notice wherever that is plausible. Hand-written posts live in handwritten.txt and are merged in.
The train/dev split is assigned once, stratified by (shutdown, sector), with a fixed seed.
Deterministic: fixed random seed, no network, no clock.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
GAZETTEER = REPO / "yuqing/config/gazetteer/qiqihar.yaml"
HANDWRITTEN = HERE / "handwritten.txt"
OUT = HERE / "posts.csv"
FIELDS = [
    "id",
    "split",
    "style",
    "title",
    "text",
    "shutdown",
    "blanket",
    "complaint",
    "sector",
    "district",
    "licensed",
]
SECTORS = [
    "construction",
    "life_services",
    "aquaculture",
    "characteristic_industry",
    "industrial_park",
    "quarrying_mining",
    "urban_management",
    "scattered_pollution",
    "other",
]
STYLES = ["letter", "weibo", "forum", "news", "notice"]

SEED = 20240611
R = random.Random(SEED)


def pick(seq):
    return seq[R.randrange(len(seq))]


def chance(p: float) -> bool:
    return R.random() < p


def opt(p: float, s: str) -> str:
    return s if chance(p) else ""


# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------
GAZ = yaml.safe_load(GAZETTEER.read_text(encoding="utf-8"))
DISTRICTS = {d["name"]: d for d in GAZ["districts"]}
# A few places read better with a village/community after them.
VILLAGES = [
    "东升村",
    "前进村",
    "永丰村",
    "红旗村",
    "太平村",
    "新立村",
    "胜利村",
    "长林村",
    "兴隆屯",
    "后屯",
    "三合村",
    "富民村",
    "民主村",
    "双发村",
    "团结村",
    "和平屯",
]
COMMUNITIES = [
    "幸福小区",
    "阳光家园",
    "建设小区",
    "锦绣花园",
    "铁路小区",
    "龙华小区",
    "丽景苑",
    "新城国际",
    "和谐家园",
    "春晖小区",
    "水岸名苑",
    "泰和园",
]


def town_like(p: str) -> bool:
    return p.endswith(("镇", "乡"))


def admin_like(p: str) -> bool:
    return p.endswith(("镇", "乡", "街道", "村"))


RURAL_SECTORS = {
    "aquaculture",
    "quarrying_mining",
    "characteristic_industry",
    "scattered_pollution",
}


def mention(district: str | None, sector: str | None = None) -> str:
    """How a post names the place it is about. Empty district -> city-level wording or nothing.

    Rural sectors prefer towns and villages, urban ones sub-districts and landmarks; landmarks get
    a locative (附近, 一带) so that nobody 'lives in' a park.
    """
    if district is None:
        return pick(
            [
                "齐齐哈尔",
                "齐市",
                "咱们齐市",
                "鹤城",
                "我们这儿",
                "市里",
                "本市",
                "我们县里",
                "我们镇上",
                "这边",
                "城郊",
                "咱们这个地方",
                "齐齐哈尔市",
                "市郊",
                "我们村",
                "咱这",
            ]
        )
    d = DISTRICTS[district]
    places = d["places"]
    if sector in RURAL_SECTORS:
        pref = [p for p in places if town_like(p)]
        if not pref:  # an urban district: farms and kilns sit on its outskirts
            return district + pick(["城郊", "郊区", "近郊", "城边上"]) + opt(0.5, pick(VILLAGES))
    elif sector in ("life_services", "urban_management", "construction"):
        pref = [p for p in places if p.endswith("街道") or not admin_like(p)] or places
    else:
        pref = places
    p = pick(pref) if chance(0.8) else pick(places)
    if town_like(p) and chance(0.35):
        p = p + pick(VILLAGES)
    elif p.endswith("街道") and chance(0.35):
        p = p + pick(COMMUNITIES)
    elif not admin_like(p):
        p = p + pick(["附近", "一带", "周边", "旁边", "那块儿"])
    roll = R.random()
    if roll < 0.30:
        return district
    if roll < 0.42 and d["aliases"]:
        return pick(d["aliases"])
    if roll < 0.64:
        return district + p
    if roll < 0.69:
        return "齐齐哈尔市" + district + opt(0.5, p)
    return p


DISTRICT_LIST = list(DISTRICTS)
_TERMS = sorted(
    ((t, d["name"]) for d in GAZ["districts"] for t in [d["name"], *d["aliases"], *d["places"]]),
    key=lambda x: -len(x[0]),
)


def districts_named(text: str) -> set[str]:
    """Districts a text names through the gazetteer (longest match first, as the tagger would)."""
    found = set()
    for term, name in _TERMS:
        if term in text:
            found.add(name)
            text = text.replace(term, "＊")
    return found


def choose_district(p_empty: float = 0.12) -> str | None:
    if chance(p_empty):
        return None
    return pick(DISTRICT_LIST)


# ---------------------------------------------------------------------------------------------
# Sectors: businesses, owners, violations, pollution, adverts
# ---------------------------------------------------------------------------------------------
NAME_PREFIX = [
    "宏达",
    "鑫源",
    "金鹤",
    "顺发",
    "兴旺",
    "北方",
    "龙腾",
    "瑞丰",
    "永利",
    "恒泰",
    "鹤乡",
    "嫩江",
    "丰收",
    "老李家",
    "张记",
    "福满",
    "万家",
    "黑土地",
    "绿源",
    "康达",
    "利民",
    "天元",
    "佳禾",
    "旺达",
    "振兴",
    "红星",
    "德盛",
    "吉祥",
    "华信",
    "大众",
    "四海",
    "东北虎",
    "盛泰",
    "老刘",
    "王氏",
    "好运来",
    "聚德",
    "富源",
    "金穗",
    "双龙",
]

SECTOR = {
    "construction": dict(
        biz=[
            "建筑工地",
            "住宅项目工地",
            "棚户区改造项目",
            "市政道路工程",
            "排水管网改造工程",
            "供热管网改造工程",
            "老旧小区改造工程",
            "学校新建项目",
            "道路拓宽工程",
            "保障房项目",
            "厂房建设项目",
            "商砼搅拌站",
            "桥梁维修工程",
            "污水处理厂建设项目",
            "商业综合体项目",
        ],
        named=[
            "{p}家园二期工地",
            "{p}花园项目",
            "{p}建筑公司承建的工地",
            "{p}小区三期",
            "{p}商住楼项目",
        ],
        owner=["建筑公司负责人", "包工头", "在工地干活的", "项目经理", "施工队长", "搞工程的"],
        unit="个项目",
        workers=(30, 260),
        violation=[
            "未落实扬尘防治措施",
            "未取得施工许可擅自开工",
            "夜间违规施工",
            "裸土未苫盖",
            "渣土车未密闭运输",
            "未办理夜间施工许可",
        ],
        pollution=[
            "扬尘漫天",
            "半夜还在打桩",
            "渣土车把道撒得埋汰死了",
            "夜里施工噪音吵得睡不着",
            "搅拌站灰大得窗户都不敢开",
        ],
        loss=[
            "工期耽误了，冬天一来就干不了了",
            "农民工的工钱眼看发不下来",
            "违约金一天好几千",
            "材料都压在工地上",
        ],
        ad=[
            "承接各类土建、装修、水暖工程，资质齐全，价格合理",
            "专业拆除、渣土清运，随叫随到",
            "钢管扣件脚手架出租",
        ],
    ),
    "life_services": dict(
        biz=[
            "饭店",
            "烧烤店",
            "干洗店",
            "汽修厂",
            "洗车行",
            "修车铺",
            "火锅店",
            "洗浴中心",
            "熟食店",
            "家常菜馆",
            "早餐铺",
            "面馆",
            "电动车维修部",
            "小吃部",
            "酒馆",
            "洗衣房",
            "轮胎店",
            "烤肉店",
            "饺子馆",
        ],
        named=["{p}烧烤", "{p}饭店", "{p}汽修", "{p}干洗店", "{p}火锅", "{p}洗车行", "{p}饺子馆"],
        owner=[
            "饭店老板",
            "开烧烤店的",
            "开干洗店的",
            "开汽修厂的",
            "小饭馆老板娘",
            "开洗车行的",
            "个体户",
        ],
        unit="家店",
        workers=(2, 25),
        violation=[
            "油烟直排",
            "未安装油烟净化设施",
            "无证经营",
            "喷漆作业未设密闭喷漆房",
            "占道经营屡教不改",
            "废机油随意倾倒",
        ],
        pollution=[
            "油烟熏得楼上没法开窗",
            "天天半夜撸串喝酒吵吵",
            "喷漆味呛得人头疼",
            "洗车水淌一道",
            "排风扇对着居民窗户吹",
        ],
        loss=[
            "房租一年好几万白交了",
            "进的货都得扔了",
            "雇的服务员只能辞了",
            "一家老小全指着这个小店",
        ],
        ad=[
            "新店开业，全场八八折，欢迎新老顾客",
            "专业干洗、改衣，当天取件",
            "汽车保养、钣金喷漆，价格实在",
        ],
    ),
    "aquaculture": dict(
        biz=[
            "养猪场",
            "养牛场",
            "肉鸡养殖场",
            "鱼塘",
            "奶牛场",
            "养鸭场",
            "肉羊养殖场",
            "养殖小区",
            "蛋鸡场",
            "养殖合作社",
            "生猪养殖基地",
            "大鹅养殖场",
        ],
        named=["{p}养殖合作社", "{p}牧业", "{p}养殖场", "{p}生态渔场"],
        owner=["养殖户", "养猪的", "搞鱼塘的", "养牛的", "养殖合作社的理事长", "养鸡的"],
        unit="家养殖场",
        workers=(2, 40),
        violation=[
            "位于禁养区",
            "粪污未经处理直排",
            "粪污处理设施不配套",
            "养殖废水排入河道",
            "未办理动物防疫条件合格证",
        ],
        pollution=[
            "猪粪味熏得全屯子人关窗户",
            "粪水顺着沟就流进河了",
            "苍蝇成群",
            "死鱼臭味一刮风就飘过来",
        ],
        loss=[
            "存栏的牲口没地方去只能贱卖",
            "塘里的鱼苗还没长成",
            "正是出栏的时候",
            "贷款买的种畜全砸手里了",
        ],
        ad=[
            "出售二元母猪、仔猪，品种纯正",
            "鱼苗批发，鲤鱼鲫鱼草鱼，送货上门",
            "收购育肥牛，现金结算",
        ],
    ),
    "characteristic_industry": dict(
        biz=[
            "大米加工厂",
            "大豆加工厂",
            "豆制品厂",
            "乳品厂",
            "肉类加工厂",
            "酒厂",
            "粉条加工厂",
            "杂粮加工厂",
            "榨油厂",
            "腐乳厂",
            "马铃薯淀粉厂",
            "烧锅酒坊",
            "奶粉厂",
            "鹅肉加工厂",
            "冷冻食品厂",
        ],
        named=["{p}米业", "{p}粮油", "{p}酒业", "{p}乳业", "{p}食品公司", "{p}淀粉厂"],
        owner=[
            "米厂老板",
            "酒厂负责人",
            "豆制品厂的",
            "食品公司的",
            "在粮食加工厂上班的",
            "淀粉厂老板",
        ],
        unit="家加工企业",
        workers=(8, 120),
        violation=[
            "生产废水未经处理外排",
            "锅炉排放超标",
            "未批先建",
            "淀粉废水直排",
            "环评手续不全",
        ],
        pollution=[
            "淀粉厂的废水臭得不行",
            "锅炉冒黑烟",
            "酒糟堆在路边发酸",
            "屠宰废水直接往沟里排",
        ],
        loss=[
            "收的稻子堆在库里要捂了",
            "合同订单交不了货",
            "今年收的几千吨大豆压着",
            "老客户都跑了",
        ],
        ad=[
            "新米上市，五常品种，一件代发",
            "纯粮食酒，散装批发",
            "正宗克东腐乳，整箱批发",
            "非转基因大豆油，工厂直供",
        ],
    ),
    "industrial_park": dict(
        biz=[
            "园区企业",
            "化工厂",
            "机械加工厂",
            "铸造厂",
            "装备制造企业",
            "生物科技公司",
            "开发区企业",
            "新材料公司",
            "热电厂",
            "钢结构厂",
            "造纸厂",
            "橡胶制品厂",
            "制药厂",
            "铸件厂",
        ],
        named=[
            "{p}化工",
            "{p}机械制造公司",
            "{p}生物科技",
            "{p}铸造公司",
            "{p}新材料有限公司",
            "{p}重工",
        ],
        owner=["厂里的工人", "企业负责人", "园区企业的员工", "车间主任", "厂长", "厂里的会计"],
        unit="家企业",
        workers=(40, 600),
        violation=[
            "废气超标排放",
            "在线监测数据造假",
            "危险废物未按规定贮存",
            "偷排生产废水",
            "未验先投",
        ],
        pollution=[
            "晚上偷着排气，一股刺鼻的味",
            "烟囱冒黄烟",
            "下水道里流出来的水发绿",
            "厂区外面臭得喘不上气",
        ],
        loss=[
            "几百号工人放假在家",
            "银行天天催贷款",
            "海外订单要赔违约金",
            "设备一停再开要重新调试",
        ],
        ad=[
            "园区标准化厂房出租，水电气暖配套齐全",
            "招聘数控车工、焊工，五险一金",
            "铸件加工，来图定制",
        ],
    ),
    "quarrying_mining": dict(
        biz=[
            "采石场",
            "砂石场",
            "砖厂",
            "石材厂",
            "采砂点",
            "石灰窑",
            "矿山",
            "麦饭石矿",
            "石料厂",
            "红砖厂",
            "沙场",
            "花岗岩矿",
        ],
        named=["{p}砖厂", "{p}石材", "{p}砂石场", "{p}采石场"],
        owner=["砖厂老板", "采石场的", "开沙场的", "拉沙子的司机", "砖厂工人", "石材厂的"],
        unit="家砖厂和沙场",
        workers=(10, 80),
        violation=["无证开采", "越界开采", "未办理采矿许可", "破坏耕地采砂", "未落实抑尘措施"],
        pollution=[
            "放炮震得房子裂缝",
            "拉砂石的大车压坏了村道",
            "粉尘落得满院子都是",
            "挖沙把河道挖得乱七八糟",
        ],
        loss=[
            "砖坯子在场子里晾着要废了",
            "装载机和铲车的贷款还不上",
            "工地那边等着要料",
            "开一次窑就得好几万",
        ],
        ad=[
            "出售红砖、河沙、石子，量大从优，送货到工地",
            "碾子山花岗岩板材，厂家直销",
            "承接砂石运输",
        ],
    ),
    "urban_management": dict(
        biz=[
            "夜市",
            "早市",
            "马路市场",
            "摊点",
            "门头广告牌",
            "彩钢房",
            "临街门市",
            "流动摊贩",
            "露天烧烤摊",
            "路边菜摊",
            "户外广告",
            "便民市场",
        ],
        named=["{p}夜市", "{p}早市", "{p}便民市场"],
        owner=["摆摊的", "夜市商户", "早市卖菜的", "门市房老板", "推车卖烤地瓜的", "卖水果的小贩"],
        unit="个摊位",
        workers=(1, 10),
        violation=["占道经营", "违章搭建", "私设户外广告", "影响市容", "乱堆乱放"],
        pollution=[
            "占道摆摊，车都过不去",
            "垃圾扔得满街都是",
            "违建彩钢房把消防通道堵了",
            "广告牌歪着，刮风吓人",
        ],
        loss=["摊位费都交了", "一家人就靠这个摊子", "冻货都砸手里了", "刚进的水果全烂了"],
        ad=["夜市摊位招租，水电齐全", "门头牌匾制作，价格实惠", "便民市场招商啦"],
    ),
    "scattered_pollution": dict(
        biz=[
            "小作坊",
            "小加工点",
            "塑料颗粒作坊",
            "小喷漆作坊",
            "泡沫板作坊",
            "废旧轮胎炼油点",
            "小电镀作坊",
            "废品收购点",
            "小木材加工点",
            "小锅炉房",
            "家庭式小作坊",
            "小塑料厂",
            "小炼油",
        ],
        named=["院子里的{p}作坊", "{p}废品站", "路边的{p}加工点"],
        owner=["开小作坊的", "开加工点的", "收废品的", "开小塑料厂的", "在家里搞加工的"],
        unit="个小作坊",
        workers=(1, 12),
        violation=["无任何污染防治设施", "无证无照", "属于散乱污企业", "露天焚烧废料", "废水直排"],
        pollution=[
            "烧塑料的黑烟呛得人直咳嗽",
            "半夜炼油一股焦糊味",
            "喷漆味一整天散不掉",
            "废料堆得像小山",
        ],
        loss=["机器都是借钱买的", "小作坊养活一家五口", "手里的订单交不上"],
        ad=["回收废铁、废塑料、纸壳，上门收购", "加工塑料颗粒，来料加工"],
    ),
    "other": dict(
        biz=["加油站", "驾校训练场", "网吧", "物流公司", "仓库", "木材市场", "二手车市场", "旅店"],
        named=["{p}加油站", "{p}驾校", "{p}物流"],
        owner=["加油站老板", "驾校的教练", "物流公司的", "开旅店的"],
        unit="家单位",
        workers=(3, 40),
        violation=["存在安全隐患", "手续不全", "消防不合格"],
        pollution=["大货车天天堵门口", "晚上吵闹", "油味大"],
        loss=["员工工资发不出来", "租金白交了"],
        ad=["驾校暑期班报名，学车送接送", "物流专线，齐齐哈尔到哈尔滨每日发车"],
    ),
}
BIZ_SECTORS = [s for s in SECTORS if s != "other"]


def biz(sector: str, named_p: float = 0.35) -> str:
    d = SECTOR[sector]
    if chance(named_p):
        return pick(d["named"]).format(p=pick(NAME_PREFIX))
    return pick(d["biz"])


def sector_for_shutdown() -> str:
    # 'other' rarely carries environmental shutdowns.
    return pick(BIZ_SECTORS) if chance(0.95) else "other"


# ---------------------------------------------------------------------------------------------
# Shared fragments
# ---------------------------------------------------------------------------------------------
def date(formal: bool = False) -> str:
    m = R.randint(1, 12)
    d = R.randint(1, 28)
    y = pick(["2021", "2022", "2023", "2023", "2024", "2024"])
    if formal:
        return pick(
            [
                f"{m}月{d}日",
                f"{y}年{m}月{d}日",
                "近日",
                "日前",
                f"{m}月{d}日晚",
                f"{m}月上旬",
                f"{m}月下旬",
            ]
        )
    return pick(
        [
            f"{m}月{d}日",
            f"{y}年{m}月{d}日",
            f"{m}月{d}号",
            f"{m}月份",
            "上个月",
            "前天",
            "上周",
            "这个月初",
            "国庆节前",
            "清明前后",
            "开春以后",
            "督察组进驻以后",
            "前几天",
            "昨天下午",
            f"{m}月{d}日上午",
            "年前",
            "五一前",
            "今年夏天",
            "上礼拜三",
            f"{y}年{m}月",
            "大前天晚上",
            "上个月中旬",
            "正月十五刚过",
            "秋收前",
        ]
    )


def phone() -> str:
    return (
        pick(["13", "15", "18", "17"]) + str(R.randint(0, 9)) + "****" + str(R.randint(1000, 9999))
    )


def num(lo: int, hi: int) -> int:
    return R.randint(lo, hi)


def money() -> str:
    return pick(
        [
            f"{num(2, 9)}0多万",
            f"{num(1, 9)}万多",
            f"{num(11, 98)}万",
            "一百多万",
            "二百来万",
            "三十来万",
            f"{num(2, 9)}00多万",
            "大几十万",
            "小一百万",
            f"{num(3, 60)}万元",
        ]
    )


AUTH = [
    "镇政府",
    "街道办",
    "区生态环境分局",
    "县环保局",
    "执法局",
    "城管",
    "乡里",
    "上面",
    "区里",
    "县里",
    "环保的",
    "综合执法大队",
    "工作组",
    "市场监管局",
    "住建局",
    "自然资源局",
    "农业农村局",
    "镇里的干部",
    "村里",
    "管委会",
    "环保分局",
    "乡政府",
    "开发区",
]
DEPT = [
    "市生态环境局",
    "区生态环境分局",
    "县生态环境局",
    "市城市管理综合执法局",
    "市市场监督管理局",
    "市住建局",
    "市自然资源局",
    "市农业农村局",
    "区综合执法局",
    "镇政府",
    "开发区管委会",
    "县自然资源局",
    "市工信局",
    "县综合行政执法局",
    "区市场监管局",
]
LICENSED_SECTOR = {
    "construction": ["施工许可证齐全", "施工许可证、规划许可证都有", "是有资质的正规施工企业"],
    "life_services": [
        "营业执照、卫生许可证都挂在墙上",
        "是依法登记的个体工商户",
        "食品经营许可证都有",
    ],
    "aquaculture": ["动物防疫合格证、环评都有", "养殖备案手续齐全"],
    "characteristic_industry": ["食品生产许可证、环评都有", "环评验收都通过了"],
    "industrial_park": ["环评验收都通过了", "排污许可证也办了", "是正规注册的企业"],
    "quarrying_mining": ["采矿证还在有效期内", "采矿许可证、安全生产许可证都有"],
    "urban_management": ["摊位是市场统一划的，有营业执照", "是依法登记的个体工商户"],
    "scattered_pollution": ["有营业执照", "环评手续都有"],
    "other": ["证照齐全"],
}


def licensed_phrase(sector: str) -> str:
    return pick(LICENSED_SECTOR[sector]) if chance(0.45) else pick(LICENSED_GENERIC)


LICENSED_GENERIC = [
    "证照齐全",
    "手续齐全",
    "合法经营",
    "有营业执照",
    "每年都依法纳税",
    "各种手续一样不差",
    "该办的证都办了",
    "每个月按时报税",
    "三证齐全",
]
LICENSED = [
    "证照齐全",
    "手续齐全",
    "合法经营",
    "有营业执照",
    "环评手续都有",
    "每年都依法纳税",
    "排污许可证也办了",
    "营业执照、卫生许可证都挂在墙上",
    "各种手续一样不差",
    "是正规注册的企业",
    "环评验收都通过了",
    "采矿证还在有效期内",
    "动物防疫合格证、环评都有",
    "施工许可证齐全",
    "三证齐全",
    "该办的证都办了",
    "是依法登记的个体工商户",
    "每个月按时报税",
]
UNLICENSED = [
    "根本没有营业执照",
    "啥手续都没有",
    "无证经营好几年了",
    "没有环评",
    "手续一样都没有",
    "连个执照都没有",
]
EQUIP = {
    "construction": ["围挡和喷淋", "雾炮机", "洗车平台"],
    "life_services": ["油烟净化器", "密闭喷漆房", "隔油池"],
    "aquaculture": ["粪污处理设施", "干湿分离机", "储粪池"],
    "characteristic_industry": ["污水处理设备", "除尘设备", "燃气锅炉"],
    "industrial_park": ["脱硫脱硝设备", "在线监测", "废气处理装置"],
    "quarrying_mining": ["喷淋降尘设备", "封闭料棚", "除尘器"],
    "urban_management": ["统一的摊位棚", "垃圾桶", "灭火器"],
    "scattered_pollution": ["活性炭吸附装置", "集气罩", "除尘设备"],
    "other": ["消防设施", "监控"],
}
SINGLE = [
    "责令停产整顿",
    "查封了",
    "依法取缔了",
    "责令停业整改",
    "断水断电了",
    "要求停工",
    "强制拆除了",
    "要求限产",
    "劝退了",
    "清退了",
    "贴了封条",
    "责令停止生产",
    "责令关闭",
    "封停了",
    "责令停止施工",
]
SINGLE_ACT2 = ["停产整改", "立即停业", "马上停工", "限期搬走", "停产等候处理", "关门", "把设备拆了"]
SINGLE_ACT3 = [
    "直接把电闸拉了",
    "在门上贴了封条",
    "把机器查封了",
    "让我们立即停业",
    "把大棚给拆了",
    "让我们停工",
    "把水电都停了",
    "把招牌摘了不让干了",
]
DEMAND = [
    "强烈要求依法关停",
    "请相关部门尽快取缔",
    "希望赶紧给关了",
    "请求环保部门责令其停产",
    "为什么还不让它关停",
    "恳请领导下令关停",
    "必须立即叫停",
    "建议直接查封",
    "希望政府把它取缔",
    "请把它关掉",
    "早就该封了",
    "请求依法拆除",
    "麻烦管一管，该停就停",
    "请执法部门依法查处，该关的关",
    "请让它停产整改",
    "啥时候能给它关了",
]
NOT_ENFORCED = [
    "去年就被责令停产了，可人家白天关门晚上照样干",
    "屡次叫停仍在生产",
    "封条贴了没两天就撕了，接着干",
    "环保局来了好几回，每次说让停，人一走照样开工",
    "说是取缔了，换个牌子又开起来了",
    "执法的前脚走后脚就点火",
    "明明下了停产通知，烟囱还是天天冒烟",
    "叫停了三次，一次都没停下来",
    "让停工的通知贴在门口，里面机器轰轰响",
    "早就说关停了，现在夜里偷着生产",
    "断了电人家就接发电机接着干",
    "上个月通报说已经关停，实际上一天没停过",
    "检查的时候关两天，检查组一走又开了",
]
LOSS_GENERIC = [
    "一家老小的生活没了着落",
    "孩子上大学的学费还没凑齐",
    "老父亲住院等着用钱",
    "工人天天打电话问啥时候开工",
    "每天光损失就好几千",
    "银行的贷款下个月就到期了",
    "租的场地一年租金照交",
]
EVENT_DETAIL = [
    "来的人也没出示什么文件",
    "问是哪个部门的文件，说是口头通知",
    "就给了三天时间",
    "连个书面通知都没有",
    "也没说我们哪儿不合格",
    "来的人态度特别横",
]
EVENT_DETAIL_STOP = ["电闸直接拉了", "我们问啥时候能开，回答是等通知", "整改验收也没人来"]
EVENT_DETAIL_BLANKET = [
    "说是督察组要来，先停一阵",
    "周边的同行全都一样",
    "有问题的没问题的一起停",
    "连刚验收完的也没放过",
]
WORRY = [
    "整改的钱都是借的",
    "罚款交完这个月就白干了",
    "心里一点底都没有",
    "愁得睡不着觉",
    "一家人都慌了",
    "订单不敢接了",
    "贷款还没还完",
]
PRIOR = [
    "找了镇里，镇里说是区里定的；找区里，又说是上面要求的",
    "打了12345，说转给相关部门了，一直没回音",
    "跑了好几趟，谁都不给个准话",
    "村里说他们也做不了主",
]
PRIOR_STOP = ["去环保局问，说我们没问题，可就是不让开"]
BACKGROUND = [
    "我们{b}是{y}年开的，这么多年一直本本分分",
    "前些年响应号召搞{b}，贷款投了{money}",
    "雇的都是附近的乡亲，{w}口人",
    "去年刚按要求上了{equip}，花了{money}",
    "今年行情本来就不好，好不容易有点起色",
    "干这行{yrs}年了，全家就靠它",
    "我们是{y}年从外地回乡创业的",
]
GRIEVANCE_ASK = [
    "请领导给个说法",
    "恳请政府区别对待",
    "希望领导能过问一下",
    "请求给我们一条活路",
    "我们到底该找谁",
    "请问这合理吗",
    "谁来管管",
    "希望能有人出来说句公道话",
    "请领导派人下来看看",
    "请求尽快解决",
    "盼回复",
    "麻烦领导帮我们反映反映",
    "我们不是不整改，是连整改的机会都不给",
    "希望相关部门能依法办事",
    "请求让合规的先复产",
    "希望按政策分类处理",
    "请给我们一个整改的期限",
]
GRIEVANCE_ASK_NOSTOP = [a for a in GRIEVANCE_ASK if "复产" not in a and "整改的机会" not in a]
BAN_REFERENCE = [
    "市里不是明确说不让搞一刀切吗",
    "不是说严禁一刀切吗",
    "市里文件写得清清楚楚不准集中停产",
    "上面三令五申不许先停再说",
    "新闻里天天讲不搞一刀切",
    "市政府发过通知禁止一律关停",
    "不是说一企一策吗",
    "不是说要保护合法经营吗",
]
CLOSERS_LETTER = [
    "此致敬礼！",
    "谢谢领导！",
    "盼复。",
    "恳请回复为盼。",
    "万分感谢！",
    "联系电话：{ph}",
    "望领导百忙之中给予答复。",
    "落款：一名普通群众",
    "（反映人电话{ph}）",
    "",
    "",
    "急盼答复！",
]
OPENERS_LETTER = [
    "尊敬的市长：",
    "尊敬的领导您好！",
    "市委书记您好，",
    "各位领导：",
    "领导好，",
    "尊敬的区长：",
    "尊敬的县委领导：",
    "尊敬的李市长您好：",
    "您好，",
    "领导您好，我想反映个事。",
    "尊敬的镇领导：",
    "尊敬的书记、县长：",
    "",
    "市长信箱：",
    "尊敬的相关部门领导：",
]
WEIBO_TAGS = [
    "#齐齐哈尔#",
    "#鹤城身边事#",
    "#齐齐哈尔身边事#",
    "#环保督察#",
    "#一刀切#",
    "#民生#",
    "#齐市头条#",
    "#黑龙江#",
    "#营商环境#",
    "#吐槽#",
    "#鹤城#",
    "#基层那些事#",
]
FORUM_OPEN = [
    "如题，",
    "各位吧友，",
    "有没有老乡知道，",
    "楼主说个事，",
    "【求助】",
    "唠唠我们那的事，",
    "",
    "",
    "顶一下，",
    "本地人问一下，",
    "问一下，",
    "新人第一次发帖，",
    "憋了好久了，",
]
FORUM_CLOSE = [
    "",
    "顶起",
    "求扩散",
    "有知道的吱一声",
    "大家怎么看",
    "真闹心",
    "求大神指点",
    "完了",
    "咋整啊",
    "等一个说法",
    "路过的帮顶",
    "",
    "",
]
FORUM_REPLY = [
    "\n回复：一样，我们那也是",
    "\n2楼：顶上去让领导看看",
    "\n回复楼主：打12345试试",
    "\n3楼：同情，支持维权",
    "\n回复：去信访办问问",
    "\n2楼：楼主别急，听说过几天就有说法",
    "\n回复：这事得找区里",
]
DIALECT_END = [
    "咋整啊",
    "贼闹心",
    "真是没招了",
    "这叫啥事儿",
    "真服了",
    "闹心死了",
    "整得我们一点招没有",
    "老百姓太难了",
    "可咋活啊",
    "这不是欺负人吗",
    "憋屈",
]
NEWS_OPEN = [
    "本报讯 ",
    "齐齐哈尔新闻网讯 ",
    "记者从{d}获悉，",
    "日前，",
    "近日，",
    "（记者 {r}）",
    "本网讯 ",
    "鹤城晚报讯 ",
    "",
    "记者 {r} 报道 ",
]
REPORTERS = ["王丽", "张博", "刘洋", "赵婷婷", "孙明", "李想", "陈晓东", "周颖", "高峰", "吴迪"]
RESIDENT = ["居民", "村民", "业主", "一名退休职工", "老百姓", "住户", "附近的居民", "一个普通市民"]


def ph_fill(s: str) -> str:
    return s.replace("{ph}", phone())


def area_of(place: str, sector: str | None = None) -> str:
    if sector in RURAL_SECTORS:
        return pick([place, "镇上", "这一片", "全乡", "全镇", "周边", "全县", "村里", "附近几个屯"])
    if sector == "industrial_park":
        return pick([place, "园区", "开发区", "这一片", "工业园"])
    if sector in ("life_services", "urban_management"):
        return pick([place, "这条街", "这一片", "全区", "附近", "整条街", "商业街"])
    return pick([place, "这一片", "全区", "全县", "附近", "周边"])


def fill(tpl: str, **kw) -> str:
    return tpl.format(**kw)


def workers(sector: str) -> str:
    w = num(*SECTOR[sector]["workers"])
    return f"{w}来" if w < 60 else f"{w // 10 * 10}多"


def background(sector: str, b: str) -> str:
    return pick(BACKGROUND).format(
        b=b,
        y=num(2005, 2020),
        money=money(),
        w=workers(sector),
        equip=pick(EQUIP[sector]),
        yrs=num(3, 25),
    )


# ---------------------------------------------------------------------------------------------
# Light noise: typos and colloquial variants citizens really produce
# ---------------------------------------------------------------------------------------------
TYPO = [
    ("已经", "以经"),
    ("怎么", "咋"),
    ("什么", "啥"),
    ("在这", "再这"),
    ("的时候", "得时候"),
    ("反映", "反应"),
    ("现在", "现再"),
    ("没有", "没"),
    ("一下", "一哈"),
    ("账", "帐"),
    ("希望", "希忘"),
    ("噪音", "燥音"),
    ("部门", "部们"),
    ("根本", "跟本"),
    ("这么", "这末"),
    ("厉害", "利害"),
    ("知道", "知到"),
]


def noisy(text: str, rate: float) -> str:
    if not chance(rate):
        return text
    for a, b in R.sample(TYPO, 4):
        if a in text and chance(0.6):
            text = text.replace(a, b, 1)
    return text


def clean(text: str) -> str:
    text = re.sub(r"[，、]+$", "。", text.strip())
    text = re.sub(r"([，。！？、])[，。]+", r"\1", text)
    text = re.sub(r"，([！？])", r"\1", text)
    text = re.sub(r"^[，。]", "", text)
    text = text.replace("了了", "了")
    return text.strip()


def first_clause(s: str) -> str:
    return re.split(r"[，。！？]", s)[0]


# ---------------------------------------------------------------------------------------------
# Scenarios. Each returns (style, title, text, labels-dict).
# ---------------------------------------------------------------------------------------------
def L(shutdown=0, blanket=0, complaint=0, sector="other", district=None, licensed=0):
    assert not (blanket and not shutdown)
    return dict(
        shutdown=shutdown,
        blanket=blanket,
        complaint=complaint,
        sector=sector,
        district=district or "",
        licensed=licensed,
    )


def scenario_blanket_report():
    """B: collective shutdown reported without the author's grievance (news, official order, neutral talk)."""
    sector = sector_for_shutdown()
    district = choose_district(0.10)
    d = SECTOR[sector]
    place = mention(district, sector)
    b = pick(d["biz"])
    n = num(6, 60)
    when = date()
    lic = 0
    kind = pick(
        [
            "news",
            "news",
            "news",
            "notice_order",
            "notice_correct",
            "notice_correct",
            "neutral",
            "neutral",
        ]
    )
    if kind == "news":
        style = "news"
        lead = pick(NEWS_OPEN).format(d=pick(DEPT), r=pick(REPORTERS))
        detail = pick(
            [
                "其中不少手续齐全",
                "既有无证小厂也有正规企业",
                "涉及从业人员数百人",
                "部分已停了近一个月",
                "停产通知仅为口头传达",
                "恢复时间至今未定",
            ]
        )
        lic = 1 if detail in ("其中不少手续齐全", "既有无证小厂也有正规企业") else 0
        quote = pick(
            [
                f"“{pick(d['loss'])}。”一名从业者说。",
                "“说停就停，也没提前通知。”一位业主告诉记者。",
                f"“{licensed_phrase(sector)}，也让停了。”一位经营者无奈地说。",
                "",
            ]
        )
        if "也让停了" in quote:
            lic = 1
        resp = pick(
            [
                f"对此，{pick(DEPT)}工作人员表示，将对情况进行核实，对合法合规的经营主体尽快恢复生产。",
                "记者将持续关注。",
                "当地相关负责人回应称，停产系“临时措施”。",
                f"目前，{pick(DEPT)}已介入调查。",
                "",
            ]
        )
        lead = "" if lead.startswith("记者从") else lead
        stops = (
            ["全部停工", "集中停工", "一律停工", "暂停施工，何时复工未定"]
            if sector == "construction"
            else ["全部停产", "集中停产", "统一停业", "一律关停", "暂停营业，何时恢复未定"]
        )
        text = (
            f"{lead}记者在{place}走访发现，{when}起当地{n}{'个' if sector == 'construction' else '家'}{b}被要求"
            f"{pick(stops)}，"
            f"{detail}。{quote}{resp}"
        )
        title = pick(
            [
                f"{place}{n}家{b}集中停产调查",
                f"{place}：{b}“一停了之”引关注",
                f"记者调查｜{place}{b}为何全部停了",
                f"{b}集中停业 商户盼早日复工",
                "",
            ]
        )
    elif kind == "notice_order":
        style = "notice"
        head = f"关于辖区{b}{pick(['一律停产', '全部停止经营', '统一停业整顿', '立即停产'])}的通知"
        body = (
            f"各{pick(['村', '社区', '经营户', '企业'])}：\n为迎接{pick(['中央生态环境保护督察', '省环保督察回头看', '上级检查'])}，"
            f"经研究决定，自{when}起辖区内所有{b}{pick(['一律停止生产', '全部停业', '统一停产', '暂停一切生产经营活动'])}，"
            f"恢复时间另行通知。{pick(['违者断电处理。', '请各单位严格执行。', '特此通知。'])}\n"
            f"{place}{pick(['人民政府', '镇政府', '街道办事处', '管委会'])}"
        )
        title, text = (head, body) if chance(0.5) else ("", head + "\n" + body)
    elif kind == "notice_correct":
        style = pick(["notice", "news"])
        text = (
            f"{pick(['市生态环境保护督察整改工作领导小组办公室通报', '市纪委监委通报', '市督察整改办通报', '据通报'])}："
            f"{place}在{pick(['环保督察整改', '大气污染治理', '秸秆禁烧', '河道治理'])}工作中对辖区{n}家{b}采取“一刀切”方式"
            f"{pick(['集中停产', '全部关停', '统一停业', '断电停产', '大规模清退'])}，"
            f"{pick(['影响群众正常生产生活', '造成不良影响', '损害经营主体合法权益'])}，现已责令{pick(['立即纠正', '限期整改', '逐家甄别、分类处置'])}，"
            f"{pick(['相关责任人被约谈', '对相关责任人进行问责', '对负有责任的干部诫勉谈话'])}。"
        )
        title = pick(
            [f"关于{place}“一刀切”停产问题的通报", "典型问题通报", f"{place}违规集中停产被通报", ""]
        )
    else:
        style = pick(["weibo", "forum"])
        text = pick(
            [
                f"听说{place}的{b}{pick(['全都停了', '一下全关了', '都让停业了', '全给封了'])}？{pick(['咋回事', '有知道的没', '啥时候能开', '真的假的'])}",
                f"今天路过{place}，{pick(['一溜的', '整条街的', '附近几家'])}{b}{pick(['都关着门', '全都停了', '门口都贴着停业通知'])}，{pick(['说是统一停业', '说是上面要求一律停产', '听说是督察期间全停'])}。",
                f"{pick(WEIBO_TAGS) if style == 'weibo' else ''}{place}这几天{b}全部{'停工' if sector == 'construction' else '停产'}了，{pick(['说是集中整治', '说是等检查完再开', '据说督察结束前都不让干'])}。",
                f"{place}的{b}这回都让清退了，{pick(['以后想吃本地的都难了', '以后去哪买啊', '路上大车少多了'])}。",
            ]
        )
        title = (
            "" if style == "weibo" else pick([f"{place}{b}都停了？", "问个事", "路过看到的", ""])
        )
    return style, title, clean(text), L(1, 1, 0, sector, district, lic)


def scenario_single_report():
    """C: one business shut for its own violation, reported neutrally (news, notice, chatter)."""
    sector = sector_for_shutdown()
    district = choose_district(0.10)
    d = SECTOR[sector]
    place = mention(district, sector)
    name = pick(d["named"]).format(p=pick(NAME_PREFIX)) if chance(0.6) else f"一家{pick(d['biz'])}"
    vio = pick(d["violation"])
    dept = pick(DEPT)
    act = pick(
        [
            "责令其停产整治",
            "依法予以查封",
            "依法取缔",
            "责令停业整改",
            "依法查封其生产设备",
            "责令立即停止生产",
            "责令停止施工并限期整改",
            "对其实施断电停产",
            "依法拆除",
            "责令关闭",
            "下达停产整治决定书",
        ]
    )
    kind = pick(["news", "news", "notice", "weibo", "forum"])
    if kind == "news":
        style = "news"
        lead = pick(NEWS_OPEN).format(d=dept, r=pick(REPORTERS))
        text = (
            f"{lead}{dept}执法人员{date(True)}对{place}{name}进行{pick(['检查', '突击检查', '夜查', '专项检查', '暗访'])}，"
            f"{opt(0.4, pick(['此前有群众多次举报该处', '该处曾因同类问题被处罚', '执法人员接到群众举报后']) + '，')}"
            f"发现{pick(['该企业', '该经营户', '该单位', '该场所'])}{vio}，{pick(['违反了' + LAW[sector] + '相关规定', '涉嫌违法', '情节较重'])}。"
            f"执法人员当场{act}，{pick(['并处罚款' + str(num(1, 30)) + '万元', '案件正在进一步办理中', '待整改验收合格后方可恢复', ''])}。"
            f"{opt(0.5, pick(['该局提醒广大经营者依法经营。', '下一步将加大巡查力度。', '其他同类经营户未受影响。', '据了解，周边同类企业正常生产。', '执法人员同时对周边商户进行了普法宣传。']))}"
        )
        unit = {
            "construction": "工地",
            "life_services": "商户",
            "scattered_pollution": "作坊",
            "aquaculture": "养殖场",
            "urban_management": "经营户",
        }.get(sector, "企业")
        title = pick(
            [
                f"{place}一{unit}因{vio}被{pick(['查封', '停产整治', '取缔', '责令停业'])}",
                f"{dept}查处一起{vio}案件",
                f"{place}：{vio} 被依法处理",
                "",
            ]
        )
    elif kind == "notice":
        style = "notice"
        text = (
            f"{pick(['行政处罚决定书（摘要）', '责令停产整治决定书', '查封（扣押）决定书', '公告'])}\n当事人：{place}{name.replace('一家', '某')}\n"
            f"经查，你单位{vio}。依据{LAW[sector]}"
            f"第{num(10, 120)}条，本机关决定{act}。{pick(['如不服本决定，可依法申请行政复议。', '特此公告。', ''])}\n{dept}\n{date(True)}"
        )
        title = ""
    elif kind == "weibo":
        style = "weibo"
        text = pick(
            [
                f"#执法在行动#{place}{name}{vio}，被{dept}{act}。{pick(['依法经营才是正道', '点赞', ''])}",
                f"{place}{name}因为{vio}让{pick(['环保', '执法局', '城管', '市场监管'])}给{pick(['封了', '停了', '关了', '取缔了'])}，{pick(['早该管管了', '周边的店都正常开着', '', '罚得不冤'])}",
            ]
        )
        title = ""
    else:
        style = "forum"
        text = pick(
            [
                f"{place}那个{name}让{pick(AUTH)}{pick(['封了', '停了', '给关了', '取缔了'])}，说是{vio}。{pick(['别的家都正常干着', '就查的他一家', '听说罚了不少钱', '', '大家注意点吧'])}",
                f"{pick(FORUM_OPEN)}{place}{name}门上贴封条了，{pick(['据说是', '听说是', '好像是'])}{vio}。{pick(FORUM_CLOSE)}",
            ]
        )
        title = pick([f"{place}{name}被封了", "吃瓜", "有知道内情的吗", ""])
    return style, title, clean(text), L(1, 0, 0, sector, district, 0)


# ---------------------------------------------------------------------------------------------
# Citizen-voice posts (letters, Weibo, forum threads) share one frame; only the *core* event and
# the presence of a grievance decide the labels. The cores have long tails of rare phrasings.
# ---------------------------------------------------------------------------------------------
CORE_BLANKET = [
    "{when}，{auth}来了一帮人，说所有{b}一律停产，啥时候恢复等通知。",
    "{when}{auth}下了口头通知，{area}的{b}集中停产，不管有没有问题。",
    "{when}{auth}挨家挨户通知，说督察期间一律停产检修。",
    "{when}来了一伙人，二话不说把整条街的{b}都给封了。",
    "{when}{auth}一个电话打过来，让我们这一片的{b}全部停了，说先停再说。",
    "{when}{auth}开会传达，为了迎接检查，{area}所有{b}统一停业半个月。",
    "{when}{auth}一刀切，把{area}{n}多家{b}全部关停了。",
    "{when}起，{auth}不分青红皂白，凡是{b}一律断水断电。",
    "{when}，{auth}的人来说我们这片的{b}全部不让干了，限期搬走。",
    "{when}电业所接到{auth}的通知，把我们这一片{b}的电全拉了。",
    "{when}{auth}让所有{b}紧急停产，说是上面要求的，也没个文件。",
    "{when}{auth}搞集中整治，{area}的{b}不管好坏全部清退。",
    "{when}{auth}一声令下，{area}的{b}都停了，我们家也在里头。",
    "这次{auth}是一锅端，{area}{n}家{b}一夜之间都关了门。",
    "{when}{auth}把{area}的{b}挨个贴了停业通知，说是集中停产整顿。",
    "督察组一进驻，{auth}就让我们{b}全歇了，说等督察组走了再说。",
    "{when}{auth}说上面要来检查，让{area}的{b}都先关几天门，躲过去再开。",
    "{auth}{when}发话了，{area}的{b}有一个算一个，全停。",
    "{when}{auth}拉了个清单，{area}{n}家{b}全在上头，限三天内停产。",
    "{when}{auth}带着电工挨家掐电，{area}的{b}没一家能干的。",
    "{area}的{b}{when}全被勒令停业，有证没证一个样。",
    "{when}开始{area}的{b}统一不让开门了，说是整治期间一律暂停营业。",
    "{when}{auth}召集我们开会，当场宣布{area}的{b}全部关停，没得商量。",
    "{when}{auth}为了完成指标，把{area}的{b}全部列入取缔名单。",
    "整个{area}的{b}{when}一起停的，门口都拉着警戒线。",
    "{when}{auth}来人说不管干净不干净，{b}统统停业整顿。",
    "{when}{auth}要求{area}的{b}全部限产一半，说空气指标不好看。",
    "{area}{n}多户{b}{when}一刀切全给关了。",
    "{when}{auth}说这是政治任务，{area}的{b}必须全停，谁不停就断电。",
    "{when}以来，{area}的{b}都让停了，已经停了{n}天。",
    "{when}上面督察，{auth}怕出事，{area}的{b}先全给停了。",
    "{when}{auth}统一行动，{area}的{b}门上全贴了封条。",
    "{auth}{when}一句话，{area}的{b}全部停工待命。",
    "{when}{auth}让{area}的{b}一律停下来，等检查组验收完再说。",
    "{when}{auth}突击整治，{area}的{b}一天之内全关了。",
    "{area}的{b}{when}被集中叫停，说是“先停后治”。",
    "{when}{auth}给{area}所有{b}下了停产通知，连问都没问。",
]
CORE_BLANKET_DEMOLISH = [  # sectors with sheds, kilns, stalls or farms only
    "{when}{auth}组织拆除，{area}的{b}连着推倒了{n}家。",
    "{when}{auth}统一组织，把沿河的{b}全部拆了，一家没剩。",
    "{when}{auth}把{area}的{b}全划进了拆除范围，说拆就拆。",
    "{when}{auth}开着铲车来，{area}的{b}一片一片地扒，大面积拆除。",
    "{when}{auth}说{area}要整体清退，{b}限期全部搬离。",
]
CORE_SINGLE = [
    "{when}{auth}来检查，说我们{reason}，当场责令停产整顿。",
    "{when}我们的{b}被{auth}{act}，理由是{reason}。",
    "{when}接到{auth}的通知，说我们{reason}，要求{act2}。",
    "{when}{auth}上门，说{reason}，{act3}。",
    "{when}{auth}以{reason}为由，{act3}。",
    "因为{reason}，{auth}{when}把我们{b}给停了。",
    "{auth}{when}下了停产整改通知书，说我们{reason}。",
    "{when}我们{b}让{auth}给封了，说是{reason}。",
    "{when}{auth}说我们{reason}，把营业执照暂扣了，不让营业。",
    "我们{b}{when}被{auth}责令停业，原因是{reason}，整改期{n}天。",
    "{when}{auth}来了两个人，说{reason}，让我们先停下来整改。",
    "{when}{auth}根据举报认定我们{reason}，下达了停产决定。",
    "{when}{auth}把我们的电给掐了，说{reason}，整改好了才给送电。",
    "{when}{auth}上门把我们{b}的设备贴了封条，理由是{reason}。",
    "{when}{auth}告知我们{reason}，{b}必须停工。",
    "{when}被{auth}叫停了，说我们{reason}。",
    "{when}收到{auth}的限期搬迁通知，说我们的{b}{reason}，让我们搬走。",
    "{when}{auth}说我们{reason}，把{b}给取缔了。",
    "我们{b}{when}被{auth}断了电，说是{reason}。",
]
# A handful of neighbours stopped together, without the usual collective words: still blanket.
CORE_BLANKET_SUBTLE = [
    "{when}{auth}把我们和隔壁两家{b}一起叫停了，也没说具体哪儿有问题。",
    "{when}我们{b}和旁边几家同时接到停产通知，内容一模一样，连名字都是手写上去的。",
    "{when}我们村这几家{b}都让停了，说等通知。",
    "{when}{auth}来了一趟，我们这几户{b}就都不让干了。",
    "{when}{auth}说这一片要整体规划，我们{b}跟着一块停了。",
    "{when}跟我们一批被叫停的还有好几家{b}，问原因都说不清。",
    "{when}{auth}来了一趟，附近的{b}连我们在内都关了门。",
    "{when}我们{b}和对门那家同一天被停的，通知上连原因都没写。",
]
# Only this business was stopped, though the post talks about the others: not blanket.
CORE_SINGLE_CONTEXT = [
    "{when}{auth}检查了这一片的{b}，就我们家{reason}，被责令停产整改，别家都正常。",
    "{when}这条街就我们一家{b}被停了，说我们{reason}。",
    "{when}{auth}说我们{reason}，让我们{b}停业整改，周边同行不受影响。",
    "{when}几家{b}一起查的，别人都过了，我们因为{reason}被叫停了。",
    "{when}{auth}在这一片查了一圈，只有我们{b}因为{reason}被停了。",
]
# One business, but stopped pre-emptively or with no violation named: blanket by the guide.
CORE_PREEMPTIVE = [
    "{when}{auth}说督察组要来，让我们{b}先停几天，也没说我们有啥问题。",
    "{when}{auth}来了，啥也没查，说上面有要求，让我们{b}先停再说。",
    "{when}{auth}通知我们{b}督察期间停产检修，等检查组走了再开。",
    "我们{b}啥问题也没有，{when}{auth}就让停了，说是防患于未然。",
    "{when}{auth}说为了保险起见，让我们{b}先歇一阵，检查完了再说。",
    "{when}{auth}打电话让我们{b}明天起停业，问原因就说是“特殊时期”。",
    "{when}{auth}说上级检查期间不能冒烟，我们{b}只能停了。",
    "{when}{auth}突然通知我们{b}立即停产，没有任何检查，也没有任何文件。",
]
# One business, its own violation, with words that sound collective: not blanket.
CORE_SINGLE_ALL = [
    "{when}{auth}检查发现我们{reason}，把{b}的设备全部查封了。",
    "{when}因为{reason}，{auth}让我们{b}所有生产线全部停下来整改。",
    "{when}{auth}说我们{reason}，{b}一律不得生产，直到整改验收合格。",
    "{when}{auth}认定我们{b}{reason}，所有车间都停了。",
]
CORE_SINGLE_DEMOLISH = [
    "{when}我们的{b}被{auth}强制拆了，说是{reason}。",
    "{when}{auth}来了铲车，说我们{reason}，把{b}给推了。",
]
REASON_GENERIC = [
    "被人举报污染",
    "影响环境",
    "不符合规划",
    "在整治范围内",
    "离居民区太近",
    "没有排污许可",
]
REASON_UNLICENSED = {
    "无证经营",
    "无证无照",
    "未取得施工许可擅自开工",
    "未办理采矿许可",
    "无证开采",
    "未办理动物防疫条件合格证",
    "环评手续不全",
    "没有排污许可",
    "未批先建",
}
CORE_FEARED = [
    "听说{soon}{area}的{b}要{x}",
    "有人说{area}所有{b}{soon}{x}",
    "{area}都在传{b}要关了",
    "镇里开会透露风声，说{area}的{b}{soon}可能要停",
    "最近都在传督察组一来{b}都得停",
    "担心哪天{auth}一来就让我们{b}停了",
    "网上说今年{b}要{x}",
    "听村里人讲{soon}{area}的{b}要整治，说不定要{x}",
    "有消息说{area}的{b}{soon}要搬迁",
]
FEARED_X = ["全部关停", "一刀切", "统一停产", "都清退", "一律停业", "集中整治", "全关"]
SOON = ["下个月", "督察组来之前", "过完年", "马上", "年底前", "开春", "这两天", "十一以后"]
CORE_FINED = [
    "{when}{auth}来检查，说我们{reason}，罚了{fine}，让限期{n}天整改。",
    "{when}{auth}让我们{b}上{equip}，限期一个月，不然就要停产。",
    "{when}{auth}下了整改通知，要求{n}天内完成整改，可以边整改边生产。",
    "{when}{auth}把我们负责人叫去约谈了，说{reason}，让马上整改。",
    "{when}{auth}说我们{reason}，开了{fine}的罚单，生产倒是没让停。",
    "{when}{auth}来了好几拨人检查，每次都挑毛病，光整改就花了{fine}。",
    "{when}{auth}通知我们{b}限期{n}天完成{equip}改造，逾期不改再依法处理。",
    "{when}我们{b}被通报批评了，说{reason}，要求立即整改。",
]
FINE = ["两万", "五千", "一万五", "三万块", "八千", "十万", "两千块"]
CORE_SELF = [
    "我们{b}{when}自己停了，{why}",
    "{when}我们{b}{why}，就主动歇业了",
    "{b}是我们自己不想干了，{why}",
    "{when}我们把{b}停了，{why}",
]
SELF_WHY = [
    "行情不好，干一天赔一天",
    "资金周转不开",
    "年纪大了干不动了",
    "按惯例冬天停产",
    "设备老化要大修",
    "原料涨价太厉害",
    "孩子让去南方带孙子",
]
SELF_GRIEVANCE = [
    "可村里还照样收管理费，这合理吗",
    "可之前的补贴到现在也没发下来",
    "可电费押金一直不给退",
    "可拖欠我们的货款到现在要不回来",
    "可是镇里答应的补偿款一直没给",
]


def fit(sector: str, items: list[str]) -> list[str]:
    """Construction sites 停工; everyone else 停产/停业. Sheds and farms can be pulled down."""
    if sector == "construction":
        out = [
            i
            for i in items
            if not any(w in i for w in ("停产", "停业", "营业", "大棚", "生产", "车间"))
        ]
    else:
        out = [i for i in items if "工" not in i or "工人" in i]
        if sector not in ("aquaculture", "urban_management"):
            out = [i for i in out if "大棚" not in i]
    return out or items


def generic_of(sector: str, b: str) -> str:
    """The kind of business a (possibly named) business is, for sentences about all of its kind."""
    for g in sorted(
        set(SECTOR[sector]["biz"] + BLANKET_NOUN.get(sector, [])), key=len, reverse=True
    ):
        if b.endswith(g):
            return g
    for g in BLANKET_NOUN.get(sector, []):
        if g[-1] == b[-1]:
            return g
    return pick(BLANKET_NOUN.get(sector, SECTOR[sector]["biz"]))


def core_text(kind: str, sector: str, place: str, lic: int, b: str) -> str:
    d = SECTOR[sector]
    bg = generic_of(sector, b)
    reasons = [r for r in d["violation"] + REASON_GENERIC if not (lic and r in REASON_UNLICENSED)]
    kw = dict(
        when=date(),
        auth=pick(AUTH),
        b=b,
        area=area_of(place, sector),
        n=num(3, 60),
        reason=pick(reasons),
        act=pick(fit(sector, SINGLE)),
        act2=pick(fit(sector, SINGLE_ACT2)),
        act3=pick(fit(sector, SINGLE_ACT3)),
        soon=pick(SOON),
        x=pick(FEARED_X),
        fine=pick(FINE),
        equip=pick(EQUIP[sector]),
        why=pick(SELF_WHY),
    )
    if kind == "blanket":
        pool = CORE_BLANKET + (CORE_BLANKET_DEMOLISH if sector in DEMOLISHABLE else [])
        if chance(0.25):
            pool = CORE_BLANKET_SUBTLE
        kw["b"] = bg
        return pick(pool).format(**kw)
    if kind == "single":
        pool = fit(sector, CORE_SINGLE) + (CORE_SINGLE_DEMOLISH if sector in DEMOLISHABLE else [])
        if chance(0.15):
            pool = fit(sector, CORE_SINGLE_ALL)
        elif chance(0.2):
            pool = fit(sector, CORE_SINGLE_CONTEXT)
        return pick(pool).format(**kw)
    if kind == "preemptive":
        return pick(fit(sector, CORE_PREEMPTIVE)).format(**kw)
    if kind == "feared":
        kw["b"] = bg
        return pick(CORE_FEARED).format(**kw) + "。"
    if kind == "fined":
        return pick(CORE_FINED).format(**kw)
    if kind == "self":
        return pick(CORE_SELF).format(**kw) + "。"
    if kind == "demand":
        unl = opt(0.3, pick(UNLICENSED) + "，")
        return (
            f"{pick(['附近', '屯子东头', '小区后面', '楼下', '村边', '家房后', '道对面'])}有个{b}，{unl}{pick(d['pollution'])}，"
            f"{pick(['好几年了', '从去年开始', '一到晚上就这样', '快半年了', '天天如此', '入夏以来', '一刮西北风就这样'])}，"
            f"{pick(['老人孩子天天咳嗽', '窗户都不敢开', '晚上根本睡不着觉', '地里的庄稼都受影响', '井水都有味了', '晾的衣服全是黑点', '孩子过敏住了两回院'])}。"
            f"{opt(0.25, pick(['别拿“不搞一刀切”当挡箭牌，', '这不是一刀切的事，', '合法的我们不反对，可它明显违法，']))}{pick(DEMAND)}！"
        )
    if kind == "not_enforced":
        return f"{b}{pick(d['pollution'])}，{pick(NOT_ENFORCED)}。"
    raise ValueError(kind)


BLANKET_NOUN = {
    "construction": ["工地", "在建项目", "施工项目", "建筑工地", "搅拌站"],
    "life_services": ["饭店", "烧烤店", "汽修厂", "干洗店", "小饭馆", "洗车行", "餐馆", "修车铺"],
    "aquaculture": ["养殖场", "养猪场", "鱼塘", "牛场", "养殖户", "鸡鸭养殖场"],
    "characteristic_industry": [
        "米厂",
        "粮食加工厂",
        "酒坊",
        "豆制品厂",
        "淀粉厂",
        "奶站",
        "榨油厂",
    ],
    "industrial_park": ["园区企业", "工厂", "化工企业", "铸造厂", "园区里的厂子"],
    "quarrying_mining": ["砖厂", "采石场", "沙场", "石材厂", "砖窑", "砂石场"],
    "urban_management": ["摊位", "夜市摊", "早市摊", "门市", "流动摊贩", "烧烤摊"],
    "scattered_pollution": ["小作坊", "小加工点", "小厂子", "家庭作坊", "小塑料厂"],
    "other": ["加油站", "驾校", "网吧", "旅店"],
}
DEMOLISHABLE = {
    "aquaculture",
    "quarrying_mining",
    "urban_management",
    "scattered_pollution",
    "life_services",
}

LETTER_EXTRA_OWNER = [
    "我们从来没有拖欠过工人一分钱工资。",
    "这几年生意本来就难做，我们咬着牙坚持下来，就是想着不能让跟着干的人没饭吃。",
    "周边的老百姓也都知道我们，平时谁家有事我们能帮就帮。",
    "家里上有老下有小，这个{b}就是全家唯一的收入来源。",
    "我们这个{b}从开办到现在，环保检查来过不下十次，每次都没查出大问题。",
    "我们雇的人大多是五十岁上下的本地人，出去也找不到别的活。",
    "去年冬天疫情刚过，好不容易把老客户拉回来，订单排到了明年开春。",
    "我们每年都参加镇里组织的安全培训。",
    "我爱人身体不好，常年吃药，孩子在外地念大学，一家的开销全靠这个{b}。",
    "我们也知道环保是大事，自己掏钱做过检测，报告都在。",
]
LETTER_EXTRA_RESIDENT = [
    "我们也不是不讲道理的人，之前跟对方当面沟通过好几次，对方每次都答应改，过后照旧。",
    "为这事，社区、街道、环保热线我们都反映过，材料攒了一大摞。",
    "家里老人有高血压，一闻那个味就头晕，孩子也总是咳嗽，去医院查了好几次。",
    "我们这片住的大多是老人，很多人有慢性病。",
    "小区里有两所学校，孩子们上下学都要经过这里。",
    "前年开始就这样，一年比一年严重。",
    "夏天还好，一到冬天烧煤的时候更厉害。",
    "邻居们已经联名写过两次信了。",
    "附近的菜地、果树都受了影响。",
]
ASK_NEUTRAL = [
    "请问整改完了去哪个部门申请验收？",
    "想问一下复产需要什么手续？",
    "请问停产期间工人社保怎么处理？",
    "情况就是这样，供领导参考。",
    "请问需要准备哪些材料？",
    "想咨询一下相关政策。",
    "请问有没有相关文件可以看？",
    "我们会按要求整改。",
    "整改方案已经报上去了。",
    "请问办理排污许可证要多长时间？",
    "",
]
RESIDENT_INTRO = [
    "我是{place}的{r}，",
    "我家住在{place}，",
    "本人住{place}，",
    "我们是{place}的{r}，",
]
OWNER_INTRO = [
    "我是{place}{b}的老板，",
    "我们是{place}{b}的几个合伙人，",
    "本人在{place}经营{b}，",
    "我姓{x}，在{place}干{b}，",
    "我在{place}开{b}，",
    "我们家在{place}开了个{b}，",
    "我是{place}{b}的负责人，",
    "我在{place}{b}上班，",
]
DISTRESS = ["心里一点底都没有", "愁得睡不着觉", "刚进的货咋办", "贷款还没还完", "一家人都慌了"]

CORE_LABELS = {  # kind -> (shutdown, blanket)
    "blanket": (1, 1),
    "preemptive": (1, 1),
    "single": (1, 0),
    "feared": (0, 0),
    "fined": (0, 0),
    "self": (0, 0),
    "demand": (0, 0),
    "not_enforced": (0, 0),
}


def scenario_citizen(kind: str, complaint: int, lic_p: float = 0.0):
    """A citizen's letter / Weibo post / forum thread around one core event."""
    s, b = CORE_LABELS[kind]
    sector = (
        sector_for_shutdown() if kind in ("blanket", "single", "preemptive") else pick(BIZ_SECTORS)
    )
    district = choose_district(0.07)
    place = mention(district, sector)
    d = SECTOR[sector]
    lic = 1 if (lic_p and chance(lic_p)) else 0
    resident = kind in ("demand", "not_enforced")
    bname = biz(sector)
    core = core_text(kind, sector, place, lic, bname)
    if bname not in core and generic_of(sector, bname) not in core:
        # every post names what it is about at least once
        core = (f"我们{bname}" if not resident else f"{place}的{bname}") + "，" + core
    if kind == "self" and complaint:
        core = core.rstrip("。") + "，" + pick(SELF_GRIEVANCE) + "？"
    licp = licensed_phrase(sector) if lic else ""
    style = pick(["letter"] * 5 + ["weibo"] * 3 + ["forum"] * 3)
    intro = (
        pick(RESIDENT_INTRO).format(place=place, r=pick(RESIDENT))
        if resident
        else pick(OWNER_INTRO).format(place=place, b=bname, x=pick("王李张刘陈杨赵孙于"))
    )
    bgs = R.sample(BACKGROUND, 2)

    def bg(i):
        return bgs[i].format(
            b=bname,
            y=num(2005, 2020),
            money=money(),
            w=workers(sector),
            equip=pick(EQUIP[sector]),
            yrs=num(3, 25),
        )

    gripe = []
    if complaint:
        if kind in ("blanket", "preemptive", "single", "fined", "feared"):
            if kind in ("blanket", "preemptive"):
                gripe.append(
                    opt(0.5, pick(EVENT_DETAIL + EVENT_DETAIL_STOP + EVENT_DETAIL_BLANKET) + "。")
                )
            elif kind == "single":
                gripe.append(opt(0.5, pick(EVENT_DETAIL + EVENT_DETAIL_STOP) + "。"))
            elif kind == "fined":
                gripe.append(opt(0.5, pick(EVENT_DETAIL) + "。"))
            if s:
                gripe.append(
                    pick(
                        [
                            f"现在{pick(d['loss'] + LOSS_GENERIC)}。",
                            f"{pick(d['loss'])}，{pick(LOSS_GENERIC)}。",
                            f"{pick(DISTRESS)}。",
                        ]
                    )
                )
            else:
                gripe.append(pick(WORRY) + "。")
            gripe.append(opt(0.3, pick(PRIOR + (PRIOR_STOP if s else [])) + "。"))
            if kind in ("blanket", "feared", "preemptive"):
                gripe.append(opt(0.4, pick(BAN_REFERENCE) + "？"))
            if kind == "preemptive":
                gripe.append(
                    opt(
                        0.4,
                        pick(
                            [
                                "有问题你查出来我们改，没问题凭啥停？",
                                "这不就是先停再说吗？",
                                "连个停产的理由都没有。",
                            ]
                        ),
                    )
                )
            if kind == "blanket":
                gripe.append(
                    opt(
                        0.3,
                        pick(
                            [
                                "我们不是不整改，可总得给个时间吧。",
                                "哪家有问题查哪家，凭啥一棍子全打死？",
                                "别人污染我们跟着挨罚，这不公平。",
                                "有问题我们认，可不能一下子全关了。",
                            ]
                        ),
                    )
                )
            if kind == "fined":
                gripe.append(
                    opt(0.5, pick(["罚得也太狠了。", "这么个查法谁受得了。", "整改的钱都是借的。"]))
                )
            ask = pick(GRIEVANCE_ASK if s else GRIEVANCE_ASK_NOSTOP)
        elif kind == "not_enforced":
            gripe.append(
                opt(
                    0.4,
                    pick(["我们反映了不下十次，", "这事儿都上过电视，", "周边几百户都受影响，"]),
                )
            )
            ask = pick(
                [
                    "请问执法部门是干啥的",
                    "是不是有保护伞",
                    "请领导督促落实",
                    "希望真正管起来",
                    "到底谁来管",
                    "请派人夜里来看看",
                ]
            )
        else:
            ask = pick(GRIEVANCE_ASK_NOSTOP + ["请领导过问", "盼早日解决"])
    else:
        ask = pick(ASK_NEUTRAL).rstrip("。？")
    if style == "letter" and resident and chance(0.25):
        parts = [
            f"举报人：{pick('王李张刘陈杨赵孙')}某，{pick(['电话', '联系方式'])}{phone()}\n被举报单位：{place}{bname}\n"
            f"举报事项：",
            core,
            *gripe,
            ask + "。",
        ]
        title = pick([f"举报{place}{bname}", "实名举报", ""])
    elif style == "letter":
        parts = [pick(OPENERS_LETTER), intro]
        if not resident:
            parts.append(bg(0) + "，" if chance(0.7) else "")
            parts.append(f"{licp}。" if lic else opt(0.3, bg(1) + "。"))
        parts.append(core)
        extras = LETTER_EXTRA_RESIDENT if resident else LETTER_EXTRA_OWNER
        if chance(0.3):  # a long, detailed letter
            parts += [e.format(b=bname) for e in R.sample(extras, 3)]
            if complaint:
                gripe.insert(0, "，".join(R.sample(PRIOR, 2)) + "。")
        elif chance(0.6):
            parts += [e.format(b=bname) for e in R.sample(extras, R.choice([1, 2]))]
        parts += gripe
        parts.append(ask + ("。" if ask else ""))
        parts.append(
            ph_fill(pick(CLOSERS_LETTER))
            if complaint
            else pick(["谢谢！", "", "此致", "谢谢领导。"])
        )
        title = pick(letter_titles(kind, place, bname, complaint))
    elif style == "weibo":
        parts = [
            opt(0.6, pick(WEIBO_TAGS)),
            "" if place in core else opt(0.75, pick(["我们", "咱", ""]) + place + "，"),
            core.rstrip("。") + "，",
            opt(0.5, f"{licp}也不好使，" if (lic and s) else (f"{licp}，" if lic else "")),
            (
                pick(
                    [
                        (pick(d["loss"]) if s else pick(WORRY)) + "。",
                        "老百姓咋活？",
                        pick(DIALECT_END) + "。",
                        "说好的不搞一刀切呢？" if kind in ("blanket", "feared") else "凭啥？",
                    ]
                )
                if complaint and kind in ("blanket", "preemptive", "single", "fined", "feared")
                else (
                    ask + "。" if complaint else pick(["", "记录一下。", "就这样吧。", "供参考。"])
                )
            ),
            opt(0.3, pick(["@齐齐哈尔发布 ", "求转发！", "谁能管管", "有没有人管"]))
            if complaint
            else "",
        ]
        title = ""
    else:
        parts = [
            pick(FORUM_OPEN),
            pick([f"我们{place}这边，", f"{place}那边，", f"说下{place}的事，", intro]),
            core,
        ]
        if not resident and chance(0.5):
            parts.append(f"我们{licp}，" if lic else bg(0) + "，")
        parts += gripe
        parts.append(
            (ask or pick(DIALECT_END)) + "。"
            if complaint
            else (ask + "。" if ask else pick(["就这么个情况。", "分享一下。", ""]))
        )
        parts.append(pick(FORUM_CLOSE) if complaint else "")
        parts.append(
            opt(0.3, pick(FORUM_REPLY)) if complaint else opt(0.2, "\n回复：整改完申请验收就行")
        )
        title = pick(forum_titles(kind, place, bname, complaint))
    text = clean("".join(parts))
    if lic and licp not in text:
        lic = 0
    return (
        style,
        title,
        noisy(text, 0.25 if complaint else 0.1),
        L(s, b, complaint, sector, district, lic),
    )


def letter_titles(kind, place, b, complaint):
    if kind in ("blanket", "preemptive"):
        return (
            [
                f"关于{place}{b}被一刀切关停的反映",
                f"{place}集中停产，请求解决",
                f"反映{place}集中停产问题",
                "求助",
                "",
                "",
                f"{place}经营户的诉求",
                "关于强行停产的投诉",
            ]
            if complaint
            else ["咨询", "", f"关于{place}停产的咨询"]
        )
    if kind == "single":
        return (
            [f"关于{place}{b}停业的诉求", f"{b}被关停后的问题", "求助", "", "请求解决"]
            if complaint
            else ["咨询复产手续", "", "咨询"]
        )
    if kind == "feared":
        return ["咨询", f"{b}要关停是真的吗", "问一下", ""]
    if kind == "fined":
        return (
            [f"{place}{b}整改问题", "反映执法问题", "", "求助"]
            if complaint
            else ["咨询整改事宜", ""]
        )
    if kind == "self":
        return ["反映问题", "", "咨询"]
    if kind == "demand":
        return [
            f"强烈要求关停{place}{b}",
            f"{place}{b}污染严重",
            f"关于{b}扰民的投诉",
            f"请取缔{place}的{b}",
            "投诉",
            "",
        ]
    return [f"{place}{b}停而不停", f"关于{b}屡禁不止的反映", "责令停产为何成了一纸空文", ""]


def forum_titles(kind, place, b, complaint):
    if kind in ("blanket", "preemptive"):
        return [
            f"{place}的{b}全给关了",
            "有人管没",
            "求助：全部停产咋办",
            f"{place}这是搞一刀切吧",
            "有没有一样被关的",
            "",
        ]
    if kind == "single":
        return [f"{b}被封了怎么办", "求助，有懂行的吗", f"{place}{b}被关", ""]
    if kind == "demand":
        return [f"{place}{b}到底有没有人管", "受不了了", f"投诉{b}", ""]
    if kind == "not_enforced":
        return ["停产通知就是个摆设", f"{b}又开工了", ""]
    return ["问一下", "", "说个事", "唠唠"]


def scenario_blanket_complaint():
    return scenario_citizen("preemptive" if chance(0.2) else "blanket", 1, 0.40)


def scenario_single_complaint():
    if chance(0.25):
        return scenario_worker_or_compensation()
    return scenario_citizen("single", 1, 0.45)


def scenario_shutdown_neutral_citizen():
    """Citizen posts about a shutdown without a grievance (a procedural question, a plain account)."""
    return scenario_citizen(pick(["blanket", "single", "single", "preemptive"]), 0, 0.3)


def scenario_demand_shutdown():
    return scenario_citizen("demand", 1)


def scenario_not_enforced():
    return scenario_citizen("not_enforced", 1)


def scenario_feared():
    return scenario_citizen("feared", 1 if chance(0.6) else 0, 0.3)


def scenario_fined():
    return scenario_citizen("fined", 1 if chance(0.6) else 0, 0.2)


def scenario_self_closed():
    return scenario_citizen("self", 1 if chance(0.4) else 0)


def scenario_worker_or_compensation():
    """D': workers unpaid after a shutdown, or an owner asking about compensation. shutdown=1, complaint=1."""
    sector = sector_for_shutdown()
    district = choose_district(0.10)
    d = SECTOR[sector]
    place = mention(district, sector)
    b = biz(sector)
    lic = 0
    if chance(0.5):
        body = (
            f"{place}的{b}{date()}被{pick(AUTH)}{pick(SINGLE)}以后，{pick(['老板就不露面了，', '厂子一直没开，', '工人全放假了，'])}"
            f"拖欠我们{num(2, 40)}个人{num(2, 8)}个月工资{num(1, 30)}万多元，{pick(['找谁都说不归他们管，', '劳动监察让等，', '过年都没钱回家，'])}"
            f"{pick(['请领导帮帮我们这些打工的。', '我们该找谁要钱？', '请求政府协调解决。'])}"
        )
    else:
        lic = 1 if chance(0.4) else 0
        body = (
            f"{pick(['请问', '想咨询一下，', '我想问问'])}我们{place}的{b}被{pick(AUTH)}{pick(SINGLE)}，"
            f"{licensed_phrase(sector) + '，' if lic else ''}{pick(['能否给予补偿？', '有没有补偿政策？', '损失谁来承担？', '像这种情况能申请补偿吗？'])}"
            f"{pick(['投进去的钱都打水漂了。', pick(d['loss']) + '。', ''])}"
        )
    style = pick(["letter", "letter", "weibo", "forum"])
    if style == "letter":
        text = pick(OPENERS_LETTER) + body + ph_fill(pick(CLOSERS_LETTER))
        title = pick(["求助", "讨薪", "咨询补偿", ""])
    elif style == "weibo":
        text = opt(0.5, pick(WEIBO_TAGS)) + body
        title = ""
    else:
        text = pick(FORUM_OPEN) + body + pick(FORUM_CLOSE)
        title = pick(["求助", "有懂行的吗", ""])
    return style, title, noisy(clean(text), 0.25), L(1, 0, 1, sector, district, lic)


# --- Hard negatives: news and notices --------------------------------------------------------
BAN_NEWS = [
    "市政府办公室近日印发通知，要求在生态环境问题整改中坚决禁止“一刀切”，严禁采取“一律关停”“先停再说”等敷衍应对做法。",
    "为防止督察整改期间出现“一刀切”问题，{p}召开专题会议，明确对合法合规企业不得采取集中停产措施。",
    "{p}出台工作方案，要求对{b}分类施策，做到“一企一策”，坚决避免“紧急停产”“全部关停”。",
    "记者从{dept}获悉，我市将建立生态环境问题整改边督边改机制，严禁督察期间要求企业停产检修。",
    "{p}明确：对依法取得施工许可的建设项目，不得采取集中停工措施；确需停工整改的，依法依规实施。",
    "{dept}负责人表示，对餐饮、洗染、维修等手续合法的生活服务业，不得要求集中停业，确有污染问题的“一户一策”整改。",
    "{p}组织开展“一刀切”问题自查，对发现的苗头性问题立行立改，保障经营主体合法权益。",
    "我市对养殖、砂石、特色产业等领域整改工作提出要求，给予合理整改时间，防止“一停了之”。",
    "{p}设立“一刀切”问题举报电话，群众发现集中停产、大规模拆除等问题可随时反映。",
    "{p}要求各乡镇在秸秆禁烧和大气治理中实事求是，不得以“一律取缔”代替精准治理。",
    "按照市里统一部署，{p}对“散乱污”企业开展摸底，坚持依法分类处置，同时做好政策引导，避免造成不良社会影响。",
    "{dept}召开营商环境座谈会，承诺在环保检查中不搞“一刀切”，对守法企业“无事不扰”。",
    "{p}印发督察整改工作指引，明确严禁“滥问责”“一刀切”，对群众反映的问题一事一办、依法处理。",
    "{p}领导深入{b}调研，强调整改要留足时间、精准施策，坚决防止简单粗暴的集中停产、大面积拆除。",
    "在督察整改推进会上，{p}要求对问题企业既要严格执法，又要帮助企业恢复正常生产，不能“以停代管”。",
]
# Templates that name a sector themselves (index -> sector); "other" = several sectors at once.
BAN_NEWS_SECTOR = {
    4: "construction",
    5: "life_services",
    7: "other",
    9: "other",
    10: "scattered_pollution",
}
BAN_SECTOR_HINT = {
    "construction": "建设项目",
    "life_services": "餐饮、洗染、维修等生活服务业",
    "aquaculture": "畜禽养殖场",
    "characteristic_industry": "粮食和乳品加工等特色产业",
    "industrial_park": "园区企业",
    "quarrying_mining": "采石、砂石和砖瓦企业",
    "urban_management": "城市管理领域的摊点和夜市",
    "scattered_pollution": "“散乱污”小作坊",
}
BAN_EXTRA = [
    "通知强调，对敷衍整改、简单粗暴的要严肃问责。",
    "会议要求各部门密切关注网络舆情，及时回应群众关切。",
    "据了解，这是我市优化营商环境的又一举措。",
    "同时，对违法违规、污染严重的依法查处。",
    "各地要依法保护生产经营者合法权益，保障群众正常生产生活。",
    "",
    "",
    "对故意炒作“一刀切”的，也要及时引导舆论。",
    "各县（市）区要向社会公开整改要求，留足整改时间。",
]


def scenario_ban_news():
    """N1: the city's (or a district's) ban on blanket shutdowns. shutdown=0, complaint=0."""
    district = choose_district(0.25)
    # Policy is issued by a district or the city, not by a village: name the unit itself.
    place = (
        pick([district, district, pick(DISTRICTS[district]["aliases"] or [district])])
        if district
        else pick(["我市", "齐齐哈尔市", "市里", "全市"])
    )
    sector = pick(list(BAN_SECTOR_HINT) + ["other"] * 6)
    b = BAN_SECTOR_HINT.get(sector, pick(["企业", "各类经营主体", "生产经营者"]))
    dept = pick(DEPT)
    tpl = pick(BAN_NEWS)
    fixed = BAN_NEWS_SECTOR.get(BAN_NEWS.index(tpl))
    if fixed:
        sector, b = fixed, BAN_SECTOR_HINT.get(fixed, b)
    s1 = tpl.format(p=place, b=b, dept=dept)
    if sector != "other" and b not in s1 and not fixed:
        s1 += f"其中对{b}，要求{pick(['不得集中停产', '不得一律关停', '分类指导、依法整治', '给足整改时间'])}。"
    extra = pick(BAN_EXTRA)
    style = pick(["news"] * 4 + ["notice"] * 3 + ["weibo"] * 2 + ["forum"])
    if style == "notice" and s1.startswith("记者从"):
        s1 = s1.split("获悉，", 1)[1]
    if district and place not in s1:
        s1 = pick([f"{place}召开会议传达市里要求：", f"{place}消息，", f"{place}："]) + s1
    if style == "news":
        text = pick(NEWS_OPEN).format(d=dept, r=pick(REPORTERS)) + s1 + extra
        title = pick(
            [
                "坚决禁止生态环境问题整改“一刀切”",
                f"{place}：严防“一刀切”",
                "我市出台举措防止集中停产",
                "不搞“一刀切” 分类精准施策",
                "",
            ]
        )
    elif style == "notice":
        head = pick(
            [
                "关于坚决禁止生态环境问题整改“一刀切”的通知",
                "关于进一步规范督察整改工作的通知",
                "公告",
                "工作提示",
            ]
        )
        body = (
            f"各{pick(['县（市）区人民政府', '乡镇、街道', '有关部门', '企业'])}：\n{s1}{extra}\n"
            f"{pick(['特此通知。', '请认真贯彻落实。', ''])}"
        )
        title, text = (head, body) if chance(0.5) else ("", head + "\n" + body)
    elif style == "weibo":
        text = (
            pick(WEIBO_TAGS)
            + pick(["【严禁一刀切】", "【权威发布】", "点赞！", "好政策！", ""])
            + s1[:120]
            + opt(0.4, pick(["支持！", "这才是实事求是", "希望落到实处"]))
        )
        title = ""
    else:
        text = (
            pick(["转个新闻：", "刚看到的：", "市里发文了，"])
            + s1
            + pick(["咱们这边能执行吗？", "大家怎么看？", "终于有文件了。", ""])
        )
        title = pick(["市里发文件不让一刀切了", "转：严禁一刀切", ""])
    return style, title, clean(text), L(0, 0, 0, sector, district, 0)


OTHER_BLANKET = [
    (
        "教育",
        [
            "学区划分一刀切，离学校五百米的孩子被划到三公里外",
            "学校一刀切禁止家长进校园，下雨天孩子忘带伞都送不进去",
            "作业一刀切不让留，孩子回家就玩手机",
            "幼儿园一刀切不让带吃的",
            "校外培训一刀切全停，想补个课都没地方",
        ],
    ),
    (
        "住房",
        [
            "公积金提取政策一刀切，老房子装修不让提",
            "老旧小区改造一刀切拆防盗窗，一楼住户很不安全",
            "房产证办理一刀切要求全体业主到场",
            "限购政策不能一刀切",
        ],
    ),
    (
        "交通",
        [
            "电动车一刀切禁止上主路，上班的人咋办",
            "停车收费一刀切，小区门口也收",
            "货车一刀切禁止进城，送货的都绕不过来",
            "公交线路调整一刀切，把老年人常坐的站撤了",
        ],
    ),
    (
        "防疫",
        [
            "防疫一刀切，返乡的一律隔离十四天",
            "核酸一刀切，七八十岁的老人也得排队",
            "小区一刀切封门，买菜都出不去",
            "健康码一刀切，老人没有智能手机寸步难行",
        ],
    ),
    (
        "价格",
        [
            "供暖费一刀切按建筑面积收，阁楼也收钱",
            "水费阶梯价一刀切，家里六口人用水肯定超",
            "物业费一刀切上涨，服务一点没变",
            "农村电价一刀切涨价",
        ],
    ),
    (
        "农业",
        [
            "秸秆禁烧一刀切，又不给还田机械",
            "厕所改造一刀切，冬天冻得根本用不了",
            "种植补贴一刀切，种地的和不种地的一个标准",
        ],
    ),
    (
        "社保",
        [
            "退休审批一刀切，档案年龄有出入的全卡住",
            "医保报销一刀切，异地就医太难了",
            "低保审核一刀切，有车的一律取消",
        ],
    ),
]


def scenario_other_blanket():
    """N4: 一刀切 about schools, housing, traffic, epidemic, pricing... shutdown=0."""
    topic, items = pick(OTHER_BLANKET)
    item = pick(items)
    district = choose_district(0.3)
    place = mention(district) if district else ""
    complaint = 1 if chance(0.75) else 0
    style = pick(
        ["letter", "weibo", "weibo", "forum", "news"]
        if complaint
        else ["news", "weibo", "forum", "notice"]
    )
    if complaint and style != "news":
        end = pick(
            ORD_ASK
            + DIALECT_END
            + ["请领导给个说法", "希望能因地制宜", "能不能区别对待", "政策能不能人性化一点"]
        )
        if style == "letter":
            text = (
                pick(OPENERS_LETTER)
                + f"{place}{item}，"
                + pick(["实际情况千差万别，", "政策是好的，可执行走样了，", "群众意见很大，"])
                + end
                + "。"
            )
            title = pick([f"{topic}政策不能一刀切", f"关于{topic}问题的建议", "反映问题", ""])
        elif style == "weibo":
            text = opt(0.6, pick(WEIBO_TAGS)) + f"{place}{item}，{end}"
            title = ""
        else:
            text = pick(FORUM_OPEN) + f"{place}{item}，{end}。" + pick(FORUM_CLOSE)
            title = pick([f"{topic}又搞一刀切", "吐槽一下", ""])
    elif style == "news":
        complaint = 0
        text = (
            pick(NEWS_OPEN).format(d=pick(DEPT), r=pick(REPORTERS))
            + f"有市民反映{place}{item}。记者就此采访了相关部门，"
            + pick(["对方表示将研究完善政策。", "相关部门表示会因情施策。"])
        )
        title = f"{topic}政策执行莫搞一刀切"
    elif style == "notice":
        text = f"关于{topic}政策有关问题的说明：近期部分群众关心{first_clause(item)}的问题。经研究，{pick(['将区分不同情况分类处理，不搞一刀切', '对特殊困难群体予以照顾', '具体办法另行公布'])}。"
        title = ""
    else:
        text = opt(0.5, pick(WEIBO_TAGS)) + pick(
            [
                f"大家觉得{item}合理吗？",
                f"今天跟同事唠{topic}的事，说起{first_clause(item)}，各有各的看法。",
                f"{place}{topic}新规出来了，说是不搞一刀切。",
            ]
        )
        title = "" if style == "weibo" else pick(["讨论一下", ""])
    return style, title, noisy(clean(text), 0.2), L(0, 0, complaint, "other", district, 0)


STALLED = [
    "开发商资金链断了，工地停工两年多",
    "楼盖到一半就停工了，塔吊在那杵了一年",
    "烂尾快三年了，钢筋都锈了",
    "开发商跑路，项目一直停工",
    "交了首付五年了，楼还是个框架",
    "说好去年交房，现在工地一个人都没有",
    "开发商说没钱，工程停着，工人的工资也没给",
    "施工方和开发商闹矛盾，工地撂荒了",
]


def scenario_stalled_site():
    """N5: a building site stalled by itself (烂尾, 开发商停工). shutdown=0, sector construction."""
    district = choose_district(0.10)
    place = mention(district, "construction")
    proj = pick(["{p}小区", "{p}家园", "{p}花园", "{p}国际", "{p}商业广场", "{p}嘉园"]).format(
        p=pick(NAME_PREFIX)
    )
    st = pick(STALLED)
    complaint = 1 if chance(0.8) else 0
    if complaint:
        style = pick(["letter", "letter", "weibo", "forum"])
        ask = pick(
            [
                "请政府帮帮我们这些业主",
                "我们要求尽快复工",
                "房贷每个月照还，房子在哪",
                "请领导督促开发商复工交房",
                "谁来给我们做主",
            ]
        )
        if style == "letter":
            text = (
                pick(OPENERS_LETTER)
                + f"我是{place}{proj}的业主，{st}，{opt(0.6, pick(['几百户业主', '我们一百多户人家', '很多都是老人']) + '天天盼着住新房，')}{ask}。"
                + ph_fill(pick(CLOSERS_LETTER))
            )
            title = pick([f"{proj}烂尾问题", f"{proj}何时复工", "业主的求助", ""])
        elif style == "weibo":
            text = opt(0.5, pick(WEIBO_TAGS)) + f"{place}{proj}{st}，{ask}！"
            title = ""
        else:
            text = pick(FORUM_OPEN) + f"{place}{proj}{st}，{ask}。" + pick(FORUM_CLOSE)
            title = pick([f"{proj}还有希望吗", "烂尾楼业主群", ""])
    else:
        style = "news"
        text = (
            pick(NEWS_OPEN).format(d=pick(DEPT), r=pick(REPORTERS))
            + f"位于{place}的{proj}项目因开发企业资金问题停工，{pick(['涉及业主三百余户', '已停工近两年'])}。{pick(DEPT)}表示，正推动引入新的投资方，力争尽快复工。"
        )
        title = f"{proj}停工项目盘活进展"
    return style, title, noisy(clean(text), 0.2), L(0, 0, complaint, "construction", district, 0)


def scenario_maintenance():
    """N6: planned maintenance, power/water notices, voluntary closures. shutdown=0, complaint=0."""
    district = choose_district(0.15)
    kind = pick(["power", "power", "water", "plant", "plant", "shop", "shop", "farm", "winter"])
    if kind == "power":
        sector = "other"
        place = mention(district)
        style = pick(["notice", "notice", "weibo"])
        text = (
            f"{pick(['停电通知', '计划停电公告', '检修停电通知'])}：因{pick(['线路检修', '变压器更换', '电网升级改造', '设备预防性试验'])}，"
            f"{date(True)} {num(6, 9)}:00至{num(14, 18)}:00，{place}{pick(['部分区域', '沿线用户', '一带'])}停电，请用户提前做好准备。{pick(['国网齐齐哈尔供电公司', '供电服务热线95598', ''])}"
        )
        title = ""
    elif kind == "water":
        sector = "other"
        place = mention(district)
        style = "notice"
        text = f"停水通知：因{pick(['供水管网维修', '阀门更换', '管道碰头施工'])}，{date(True)}{place}{pick(['片区', '部分小区'])}暂停供水{num(4, 12)}小时，请居民提前储水。"
        title = ""
    elif kind == "plant":
        sector = pick(["industrial_park", "characteristic_industry", "industrial_park"])
        place = mention(district, sector)
        name = pick(SECTOR[sector]["named"]).format(p=pick(NAME_PREFIX))
        style = pick(["notice", "weibo", "news"])
        text = (
            f"{name}{pick(['公告', '通知', ''])}：根据年度生产计划，我公司定于{date()}起进行{pick(['年度设备大修', '生产线技术改造', '例行检修', '锅炉检修'])}，"
            f"预计停产{num(5, 30)}天，{pick(['给客户带来不便敬请谅解', '检修期间订单正常受理', '期间职工正常发放工资'])}。"
            f"{opt(0.8, '（厂址：' + place + '）')}"
        )
        if style == "news":
            text = f"{place}{name}{pick(['利用生产淡季', '按计划'])}开展{pick(['设备大修', '技改升级'])}，停产{num(5, 30)}天，{pick(['技改后产能将提升两成', '预计下月恢复满负荷生产'])}。"
        title = ""
    elif kind == "shop":
        sector = pick(["life_services", "life_services", "urban_management"])
        place = mention(district, sector)
        b = biz(sector)
        style = pick(["weibo", "forum", "notice"])
        announce = f"{place}{b}{pick(['因房租到期', '因店主身体原因', '因家里有事', '因店面装修'])}，自{date(True)}起暂停营业，感谢各位老顾客多年照顾！"
        text = (
            announce
            if style == "notice"
            else pick(
                [
                    announce,
                    f"{pick(['本店', '小店'])}{pick(['转让', '歇业了', '不干了'])}，{pick(['干了十几年累了', '孩子在外地要去带孙子', '生意不好做'])}，{place}的老顾客有缘再见。",
                    f"{place}那家{b}关门了，{pick(['听说老板去南方了', '老板娘说不想干了', '店主自己不干了，挺可惜'])}。",
                ]
            )
        )
        title = ""
    elif kind == "farm":
        sector = "aquaculture"
        place = mention(district, sector)
        style = pick(["forum", "weibo"])
        b = pick(SECTOR[sector]["biz"])
        text = f"{pick(['养了十年猪', '搞了八年鱼塘', '养牛养了半辈子'])}，今年{pick(['年纪大了', '猪价太低', '儿子不让干了'])}，{pick(['不干了', '自己把场子停了', '把圈舍租出去了'])}。{place}{pick(['有要' + b + '设备的吗', '有想接手的联系' + phone(), ''])}"
        title = pick(["不干了", "转让", ""])
    else:
        sector = "construction"
        place = mention(district, sector)
        style = pick(["news", "forum", "weibo"])
        text = pick(
            [
                f"天冷了，{place}的{pick(['工地', '项目'])}按惯例{pick(['冬休', '停工'])}，{pick(['明年开春再干', '工人陆续回老家了'])}。",
                f"{place}{pick(['各在建项目', '多个工地'])}进入冬季停工期，{pick(DEPT)}提醒施工单位做好停工期间的安全防护。",
            ]
        )
        title = ""
    return style, title, clean(text), L(0, 0, 0, sector, district, 0)


ORDINARY = [
    (
        "other",
        [
            "家里供暖温度才十四五度，打了好几次电话也没人来",
            "暖气不热，屋里穿棉袄",
            "供暖费交了，暖气片冰凉",
            "小区路灯坏了半年了，晚上黑灯瞎火",
            "楼道漏水，物业推三阻四",
            "门前的路坑坑洼洼，下雨就积水",
            "公交车老是不按点来",
            "单位拖欠工资三个月了",
            "小区电梯三天两头坏",
            "自来水发黄有味",
            "孩子上学的路口没有红绿灯",
            "医院挂号太难",
            "村里把我家的宅基地划给了别人",
            "征地补偿款到现在没发到手",
            "学校让家长统一买校服，一套四百多",
            "户口迁不回来，孩子上学成了问题",
            "养老保险断缴了想补缴，跑了五趟没办成",
            "物业擅自涨停车费",
            "燃气公司入户安检乱收费",
            "小区广场舞音响开到晚上十点",
            "楼上天天半夜剁东西",
            "出租车拒载还绕路",
            "低保被取消了，也没人告诉为啥",
            "网上买的房子五年了办不下来房产证",
            "垃圾中转站臭气熏天，晚上睡觉都得关窗",
            "小区门口的井盖丢了半个月没人管",
            "老楼外墙皮往下掉",
            "村干部账目不公开",
            "农田灌溉渠堵了，地浇不上水",
            "快递驿站乱收费",
        ],
    ),
    (
        "construction",
        [
            "工地晚上十一点还在施工，噪音太大",
            "拉渣土的车半夜轰隆隆过",
            "干了一年活，包工头拖欠工资不给",
            "施工把小区的路挖开了一个月没恢复",
            "工地扬尘太大，晾不了衣服",
            "新房子墙皮开裂，开发商不管",
            "管网改造挖断了我家的自来水管",
            "工程款被拖欠两年，供货商都要不回钱",
            "工地围挡占了半条道，天天堵车",
        ],
    ),
    (
        "life_services",
        [
            "楼下烧烤店油烟太大",
            "饭店的排风扇对着我家窗户",
            "汽修店天天在人行道上修车",
            "洗浴中心的锅炉冒黑烟",
            "KTV唱到后半夜",
            "干洗店把衣服洗坏了不赔",
            "饭店把泔水倒进下水道，楼道返味",
            "美食城占道经营，人行道全是油污",
        ],
    ),
    (
        "aquaculture",
        [
            "屯子里的养猪场太臭了",
            "鱼塘的水放出来淹了我家地",
            "养鸡场苍蝇太多",
            "养牛场的粪堆在路边",
            "邻居在院里养了几十头猪，臭味熏天",
        ],
    ),
    (
        "urban_management",
        [
            "路边摊把人行道全占了",
            "早市散了一地垃圾没人扫",
            "违建的彩钢房挡住了消防通道",
            "门市的广告牌掉下来差点砸到人",
            "城管执法态度太横了，推搡摆摊的老人",
            "小区里的垃圾箱几天没清",
            "夜市散了满地竹签子",
            "一楼住户私搭乱建占了公共绿地",
            "城管收走了我的三轮车，罚款也不给收据",
        ],
    ),
    (
        "quarrying_mining",
        [
            "拉砂石的车把村道压坏了",
            "采石场放炮震得房子裂缝",
            "沙场的大车超载，路边尘土飞扬",
            "砖厂取土把地挖成了大坑，雨天孩子掉进去过",
            "选矿厂废水流进河里，下游的水不能用了",
        ],
    ),
    (
        "industrial_park",
        [
            "园区厂子夜里有异味",
            "厂里不给交社保",
            "开发区的厂子噪音大",
            "化工厂的水排进池塘，鱼全死了",
            "厂里加班不给加班费",
            "开发区规划要在小区旁边建工厂，大家都很担心",
        ],
    ),
    (
        "scattered_pollution",
        [
            "村里有人烧废塑料，一股怪味",
            "路边的小作坊乱倒废料",
            "收废品的院子堆得像垃圾山",
            "小作坊半夜烧轮胎，黑烟滚滚",
        ],
    ),
    (
        "characteristic_industry",
        [
            "米厂的粉尘飘到院子里",
            "酒厂的酒糟味太大",
            "淀粉厂的废水沟臭",
            "乳品厂收奶压价，奶农亏本",
            "粮食收购点扣杂太狠",
        ],
    ),
]
ORD_HISTORY = [
    "已经反映多次了",
    "打12345也没用",
    "找过社区，社区让找物业",
    "找村里，村里说管不了",
    "这个问题拖了两年了",
    "去年就反映过，说研究研究就没下文了",
    "打了十几次电话，都是“已记录”",
    "在网上留过言，没人回复",
]
ORD_ANGER = [
    "难道要出了事才有人管吗？",
    "你们受得了，我们老百姓受不了啊！",
    "这还有没有人管了？",
    "钱交了，服务在哪？",
    "我们到底该找谁？",
    "老百姓的事就不是事吗？",
    "真是叫天天不应！",
    "",
]
ORD_ASK = [
    "希望有关部门管一管",
    "请尽快解决",
    "请领导过问",
    "麻烦给解决一下",
    "谁来管管",
    "希望能给个说法",
    "盼早日解决",
    "请相关部门督促整改",
    "这事儿到底归谁管",
    "恳请领导明察",
    "强烈希望尽快处理",
    "请求调查处理",
    "望领导为民做主",
]


def scenario_ordinary_complaint():
    """N7: an ordinary grievance with no shutdown involved. shutdown=0, complaint=1."""
    sector, items = pick(ORDINARY)
    item = pick(items)
    district = choose_district(0.12)
    place = mention(district, sector)
    ask = pick(ORD_ASK)
    style = pick(["letter"] * 5 + ["weibo"] * 3 + ["forum"] * 3)
    if style == "letter":
        if chance(0.2):
            text = (
                f"举报人：{pick('王李张刘陈杨赵孙')}某，电话{phone()}\n被举报人/事项：{place}{first_clause(item)}\n"
                f"事实与理由：{item}，{pick(ORD_HISTORY)}。{pick(ORD_ANGER)}{ask}。"
            )
        else:
            text = (
                pick(OPENERS_LETTER)
                + pick([f"我家住在{place}，", f"我是{place}的{pick(RESIDENT)}，", f"{place}"])
                + f"{item}，{opt(0.6, pick(ORD_HISTORY) + '，')}{opt(0.4, pick(['家里有老人常年卧床，', '孩子马上高考，', '我们都是上了岁数的人，']))}"
                + f"{pick(ORD_ANGER)}{ask}。"
                + ph_fill(pick(CLOSERS_LETTER))
            )
        title = pick(
            [
                f"{place}{first_clause(item)}",
                "反映问题",
                "投诉",
                f"关于{place}的问题",
                "",
                f"举报{first_clause(item)}",
            ]
        )
    elif style == "weibo":
        text = (
            opt(0.5, pick(WEIBO_TAGS))
            + f"{place}{item}，{pick([ask, pick(DIALECT_END), pick(ORD_ANGER)])}"
            + opt(0.2, "！")
        )
        title = ""
    else:
        text = (
            pick(FORUM_OPEN)
            + f"{place}{item}，{opt(0.4, pick(ORD_HISTORY) + '，')}{pick([ask, pick(DIALECT_END)])}。"
            + pick(FORUM_CLOSE)
        )
        title = pick(["吐槽", f"{place}的问题", "有人管吗", ""])
    return style, title, noisy(clean(text), 0.3), L(0, 0, 1, sector, district, 0)


PRAISE = [
    "点赞{dept}，{p}{b}的问题反映后三天就解决了",
    "感谢{p}政府帮我们{b}把手续办下来了，服务真好",
    "{dept}的同志上门指导我们{p}的{b}整改，没让停产，给了两个月时间，为这种做法点赞",
    "{p}的{b}整改完以后干净多了，周边居民都说好",
    "给{dept}点个赞，来{p}检查的时候讲政策讲道理，帮我们{b}想办法",
]
CHATTER = [
    (
        "other",
        [
            "今天去扎龙看丹顶鹤了，人不少",
            "明月岛的夜景真好看",
            "周末带孩子去龙沙公园划船",
            "昂昂溪的老站房拍照很出片",
            "齐齐哈尔烤肉天下第一，不接受反驳",
            "今年冬天雪真大",
            "明天降温，大家多穿点",
            "讷河的土豆就是面",
            "碾子山漂流有人去过吗",
            "克山马铃薯节有啥好玩的",
            "劳动湖边上遛弯的人真多",
        ],
    ),
    (
        "life_services",
        ["谁知道{p}哪家烧烤好吃", "{p}新开了一家饺子馆，味道还行", "推荐一家{p}的汽修，老板实在"],
    ),
    ("characteristic_industry", ["克东腐乳配馒头绝了", "{p}的大米真香", "过年买点{p}的小烧酒送人"]),
    ("aquaculture", ["{p}的鱼塘可以钓鱼，二十块钱一天", "今年猪价又涨了，养猪的能回点本"]),
    ("urban_management", ["{p}夜市开了，人挤人", "早市的黏豆包挺好吃"]),
    ("industrial_park", ["{p}的厂子招工，工资还行", "听说{p}园区又签了个大项目"]),
    ("construction", ["{p}新修的路真宽敞", "{p}的老旧小区改造完挺好看的"]),
    ("quarrying_mining", ["碾子山的石头真多，到处都是石材厂", "盖房子用红砖还是砌块好？"]),
    ("scattered_pollution", ["收废品的大爷又来吆喝了"]),
]
NEUTRAL_NEWS = [
    ("industrial_park", "{p}园区新签约项目{n}个，总投资{m}亿元。"),
    ("aquaculture", "{p}生猪存栏稳步增长，今年出栏预计达{n}万头。"),
    ("characteristic_industry", "{p}大豆加工企业开足马力生产，订单排到了年底。"),
    ("construction", "{p}{n}个重点项目集中开工，总投资{m}亿元。"),
    ("urban_management", "{p}规范设置{n}处便民摊点，方便群众生活。"),
    ("life_services", "{p}举办美食节，{n}家餐饮商户参展。"),
    ("quarrying_mining", "{p}推进绿色矿山建设，{n}家矿山企业完成生态修复。"),
    ("scattered_pollution", "{p}引导{n}家小作坊入园升级，实现规范化生产。"),
    ("other", "{p}新开通{n}条公交线路，方便市民出行。"),
]
LAW = {
    "construction": "《建设工程质量管理条例》",
    "life_services": "《大气污染防治法》",
    "aquaculture": "《畜禽规模养殖污染防治条例》",
    "characteristic_industry": "《水污染防治法》",
    "industrial_park": "《大气污染防治法》",
    "quarrying_mining": "《矿产资源法》",
    "urban_management": "《城市市容和环境卫生管理条例》",
    "scattered_pollution": "《环境保护法》",
    "other": "相关法律法规",
}
NO_STOP_ENFORCE = [
    "下达责令改正违法行为决定书，限期{n}日内完成整改",
    "处以罚款{n}万元",
    "对企业负责人进行约谈",
    "责令其立即清理并加强管理",
    "对其作出警告并限期整改",
    "现场指导整改",
    "责令限期改正并处罚款",
]


def scenario_neutral():
    """N8: praise, adverts, chatter, neutral news, enforcement without a stop. shutdown=0, complaint=0."""
    district = choose_district(0.15)
    kind = pick(
        ["praise", "ad", "ad", "chatter", "chatter", "chatter", "news", "enforce", "enforce"]
    )
    if kind == "praise":
        sector = pick(BIZ_SECTORS)
        place = mention(district, sector) if district else ""
        text = pick(PRAISE).format(dept=pick(DEPT), b=biz(sector), p=place or "")
        style = pick(["weibo", "letter", "forum"])
        if style == "letter":
            text = pick(OPENERS_LETTER) + text + "，特此致谢！"
        title = pick(["感谢信", "点赞", ""]) if style != "weibo" else ""
    elif kind == "ad":
        sector = pick(BIZ_SECTORS)
        place = mention(district, sector) if district else ""
        text = f"{pick(['【广告】', '', '急！', '诚信经营，'])}{place}{pick(SECTOR[sector]['ad'])}。联系电话：{phone()}"
        style = pick(["forum", "weibo"])
        title = pick(["出售", "招商", "广告", ""]) if style == "forum" else ""
    elif kind == "chatter":
        sector, items = pick(CHATTER)
        place = mention(district, sector) if district else ""
        tpl = pick(items)
        if "{p}" not in tpl:
            district = None  # chatter about a landmark names its own place; keep the label honest
            for dn, dd in DISTRICTS.items():
                if any(pl in tpl for pl in dd["places"]) or dn[:2] in tpl:
                    district = dn
        text = tpl.format(p=place or pick(["市里", "我们那"]))
        style = pick(["weibo", "weibo", "forum"])
        title = "" if style == "weibo" else pick(["闲聊", "水一贴", ""])
    elif kind == "news":
        sector, tpl = pick(NEUTRAL_NEWS)
        place = mention(district, sector) if district else ""
        text = pick(NEWS_OPEN).format(d=pick(DEPT), r=pick(REPORTERS)) + tpl.format(
            p=place or "我市", n=num(3, 60), m=num(2, 90)
        )
        style = "news"
        title = ""
    else:
        sector = pick(BIZ_SECTORS)
        place = mention(district, sector) if district else ""
        d = SECTOR[sector]
        name = pick(d["named"]).format(p=pick(NAME_PREFIX))
        style = pick(["news", "notice", "weibo"])
        lead = (
            pick(NEWS_OPEN).format(d=pick(DEPT), r=pick(REPORTERS))
            if style == "news"
            else opt(0.5, "#执法在行动#" if style == "weibo" else "")
        )
        text = (
            lead + f"{pick(DEPT)}对{place}{name}开展检查，发现{pick(d['violation'])}，"
            f"{pick(NO_STOP_ENFORCE).format(n=num(2, 30))}，{pick(['企业正常生产', '正常经营不受影响', '目前已整改到位', '未影响正常经营', ''])}。"
        )
        title = ""
    return style, title, clean(text), L(0, 0, 0, sector, district, 0)


def scenario_news_negative():
    """News that uses shutdown vocabulary without reporting an imposed stop. shutdown=0, complaint=0."""
    sector = pick(BIZ_SECTORS)
    district = choose_district(0.15)
    place = mention(district, sector) if district else "我市"
    d = SECTOR[sector]
    name = pick(d["named"]).format(p=pick(NAME_PREFIX))
    lead = pick(NEWS_OPEN).format(d=pick(DEPT), r=pick(REPORTERS))
    kind = pick(["demand", "unenforced", "rumour", "hotline", "plan"])
    if kind == "demand":
        text = (
            f"{lead}近期，{place}多名群众通过12345热线反映{name}{pick(d['pollution'])}，要求{pick(['予以关停', '依法取缔', '停产整治'])}。"
            f"{pick(DEPT)}{pick(['已派员现场核查', '表示将依法调查处理', '已责成企业限期整改'])}，{pick(['结果将及时向社会公布。', '本报将持续关注。', ''])}"
        )
        title = pick([f"群众反映{name}扰民 部门介入调查", ""])
    elif kind == "unenforced":
        text = (
            f"{lead}记者暗访发现，{place}{name}此前已被责令停产，但{pick(['夜间仍在偷偷生产', '仍未停止生产', '换了个名头继续经营'])}。"
            f"{pick(DEPT)}表示，将{pick(['依法从严查处', '联合供电部门采取措施', '对相关责任人追责'])}。"
        )
        title = pick(["责令停产后为何仍在生产", f"暗访{name}", ""])
    elif kind == "rumour":
        text = (
            f"{pick(['【辟谣】', '【澄清】', ''])}近日网传“{place}{pick(BLANKET_NOUN[sector])}{pick(['将全部关停', '年底前一律取缔', '一刀切停产'])}”，"
            f"经{pick(DEPT)}核实，该消息不实。{pick(['我市坚持分类施策，不搞一刀切。', '合法合规经营主体正常生产不受影响。', '请广大群众不信谣、不传谣。'])}"
        )
        title = pick(["网传全部关停？假的！", "关于网传信息的说明", ""])
    elif kind == "hotline":
        text = (
            f"{lead}{place}{pick(['12345热线', '市长信箱'])}上月共受理{d['biz'][0]}类诉求{num(12, 300)}件，"
            f"{pick(['主要集中在扬尘、噪音和异味方面', '其中要求关停污染企业的占三成', '办结率达到97%'])}。"
        )
        title = ""
    else:
        text = (
            f"{lead}{place}印发{pick(['养殖业', '砂石行业', '餐饮油烟', '散乱污企业', '建筑工地扬尘'])}整治方案，"
            f"计划{pick(['年内', '三年内', '分批'])}完成{pick(['升级改造', '规范提升', '入园进区'])}，"
            f"对{pick(['达标的', '手续齐全的'])}保留提升，对{pick(['整改无望的', '违法违规的'])}依法处置，{pick(['不搞“一刀切”。', '给足过渡期。', ''])}"
        )
        title = ""
    style = "news" if chance(0.8) else "weibo"
    return style, title, clean(text), L(0, 0, 0, sector, district, 0)


SCENARIOS = [
    (scenario_blanket_complaint, 120),
    (scenario_blanket_report, 75),
    (scenario_single_report, 80),
    (scenario_single_complaint, 80),
    (scenario_shutdown_neutral_citizen, 55),
    (scenario_ban_news, 100),
    (scenario_demand_shutdown, 100),
    (scenario_not_enforced, 65),
    (scenario_other_blanket, 70),
    (scenario_stalled_site, 55),
    (scenario_maintenance, 85),
    (scenario_ordinary_complaint, 95),
    (scenario_neutral, 255),
    (scenario_feared, 55),
    (scenario_fined, 75),
    (scenario_self_closed, 40),
    (scenario_news_negative, 55),
]


# ---------------------------------------------------------------------------------------------
# Hand-written posts
# ---------------------------------------------------------------------------------------------
def load_handwritten() -> list[dict]:
    """handwritten.txt: one post per line, `style|sbcl|sector|district|title|text` (# comments)."""
    rows = []
    for n, line in enumerate(HANDWRITTEN.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("|")
        assert len(parts) == 6, f"handwritten.txt:{n}: expected 6 fields, got {len(parts)}"
        style, flags, sector, district, title, text = (p.strip() for p in parts)
        assert style in STYLES, (n, style)
        assert len(flags) == 4 and set(flags) <= {"0", "1"}, (n, flags)
        assert sector in SECTORS, (n, sector)
        assert district == "" or district in DISTRICTS, (n, district)
        s, b, c, lic = (int(x) for x in flags)
        assert not (b and not s), f"handwritten.txt:{n}: blanket without shutdown"
        rows.append(
            dict(
                style=style,
                title=title,
                text=text.replace("\\n", "\n"),
                shutdown=s,
                blanket=b,
                complaint=c,
                sector=sector,
                district=district,
                licensed=lic,
                source="hand",
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------
def generate() -> list[dict]:
    rows, seen = [], set()
    for fn, count in SCENARIOS:
        made, tries = 0, 0
        while made < count:
            tries += 1
            assert tries < count * 50, fn.__name__
            style, title, text, labels = fn()
            if not (20 <= len(text) <= 400) or text in seen:
                continue
            # The district label must be recoverable from what the post actually says.
            named = districts_named(title + "\n" + text)
            if labels["district"] not in named:
                labels["district"] = next(iter(named)) if len(named) == 1 else ""
            if len(named) > 1 and labels["district"] == "":
                continue
            seen.add(text)
            rows.append(dict(style=style, title=title, text=text, source=fn.__name__, **labels))
            made += 1
    return rows


def assign_split(rows: list[dict]) -> None:
    rng = random.Random(SEED + 1)
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["shutdown"], r["sector"]), []).append(r)
    for key in sorted(groups):
        g = groups[key]
        rng.shuffle(g)
        n_dev = round(len(g) * 0.25)
        for i, r in enumerate(g):
            r["split"] = "dev" if i < n_dev else "train"


def build() -> list[dict]:
    hand = load_handwritten()
    gen = generate()
    texts = {r["text"] for r in hand}
    rows = hand + [r for r in gen if r["text"] not in texts]
    assert len({r["text"] for r in rows}) == len(rows)
    # Interleave deterministically so ids do not reveal the scenario.
    R.shuffle(rows)
    assign_split(rows)
    for i, r in enumerate(rows, 1):
        r["id"] = f"c{i:04d}"
    return rows


def write(rows: list[dict]) -> None:
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def stats(rows: list[dict]) -> str:
    """Distribution tables (total / train / dev), as pasted into README.md."""
    out = []
    n = len(rows)
    tr = [r for r in rows if r["split"] == "train"]
    dv = [r for r in rows if r["split"] == "dev"]

    def table(name, key):
        tot, ctr, cdv = (Counter(key(r) for r in rs) for rs in (rows, tr, dv))
        out.append(f"\n{name:<26} {'total':>6} {'share':>7} {'train':>6} {'dev':>5}")
        for k, v in sorted(tot.items(), key=lambda kv: (-kv[1], str(kv[0]))):
            label = "(empty)" if k == "" else str(k)
            out.append(f"  {label:<24} {v:6d} {v / n:7.1%} {ctr[k]:6d} {cdv[k]:5d}")

    out.append(f"posts: {n}  (train {len(tr)}, dev {len(dv)})")
    table("style", lambda r: r["style"])
    for tag in ["shutdown", "blanket", "complaint", "licensed"]:
        table(tag, lambda r, t=tag: int(r[t]))
    table("sector", lambda r: r["sector"])
    table("district", lambda r: r["district"])
    sd = [r for r in rows if int(r["shutdown"])]
    lic = [r for r in rows if int(r["licensed"])]
    out.append(f"\nblanket among shutdown=1: {sum(int(r['blanket']) for r in sd)}/{len(sd)}")
    out.append(
        f"licensed posts that also have shutdown=1: {sum(int(r['shutdown']) for r in lic)}/{len(lic)}"
    )
    lens = sorted(len(r["text"]) for r in rows)
    out.append(f"text length (chars): min {lens[0]}, median {lens[len(lens) // 2]}, max {lens[-1]}")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--stats", action="store_true", help="print distribution of the existing posts.csv"
    )
    args = ap.parse_args()
    if args.stats:
        with OUT.open(encoding="utf-8") as fh:
            print(stats(list(csv.DictReader(fh))))
        return
    rows = build()
    write(rows)
    print(stats(rows))


if __name__ == "__main__":
    main()
