"""The event around each shutdown cue (issue 11): modality, object, authority, blanket signals."""

from __future__ import annotations

import pytest

from yuqing.nlp.context import Context, length_bucket, read_context
from yuqing.nlp.cues import default_matcher
from yuqing.nlp.normalize import normalize_for_matching


def context_of(text: str, title: str = "") -> Context:
    original = f"{title}\n{text}"
    norm = normalize_for_matching(original)
    return read_context(norm, default_matcher().find(original, norm), len(title))


def first(text: str) -> tuple[str, str]:
    t = context_of(text).triggers[0]
    return t.modality, t.object


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上个月环保局责令我们的砖厂停产，到现在也没说啥时候能开", ("imposed", "business")),
        ("镇里把养猪场给关了，补偿一分没有", ("imposed", "business")),
        ("我们强烈要求环保局对这家化工厂停产整顿", ("demanded", "business")),
        ("恳请有关部门依法取缔这个黑作坊", ("demanded", "business")),
        ("听说下个月要把这条街的饭店全关了", ("feared", "business")),
        ("环保局下了停产通知，但这个厂子晚上仍在生产", ("not_enforced", "business")),
        ("这个厂子经营不善，老板自行停产了", ("own", "business")),
        ("物业把我家的水电给断了，大冬天的没法住", ("imposed", "household")),
        ("街道把小区门口的栏杆拆除了", ("imposed", "structure")),
        ("学校把代课教师全部清退了", ("imposed", "person")),
        ("依照《城乡规划法》第六十八条，可以查封施工现场", ("legal", "business")),
        ("这家店一直没有整顿，照样营业", ("negated", "business")),
        # "not allowed to reopen" confirms the stop; "我家的砖厂" is a business
        ("我家的砖厂被贴了封条，至今没让开工", ("imposed", "business")),
    ],
)
def test_modality_and_object_of_a_trigger(text: str, expected: tuple[str, str]) -> None:
    assert first(text) == expected


def test_only_a_business_stop_imposed_or_reported_is_an_event() -> None:
    assert [t.event for t in context_of("城管把夜市的摊子都取缔了").triggers] == [True]
    assert context_of("我们要求关停这家厂").events == []
    assert context_of("物业把我家的水电给断了").events == []
    assert context_of("今天天气不错，出去走走").triggers == []


def test_features_name_modality_object_and_the_post_level_event() -> None:
    feats = context_of("县里一夜之间把全县的砖厂都关停了", title="砖厂关停").features()
    assert {"k:ctx.m.imposed", "k:ctx.o.business", "k:ctx.event", "k:ctx.business_event"} <= set(
        feats
    ) or {"k:ctx.m.neutral", "k:ctx.event"} <= set(feats)
    assert {"k:ctx.collective", "k:ctx.timing", "k:ctx.collective_event"} <= set(feats)
    assert "k:ctx.title_event" in feats
    assert "k:ctx.no_event" in context_of("请求关停这家污染严重的化工厂").features()


def test_licensed_together_with_unlicensed() -> None:
    assert context_of("不管有没有手续，这一片的小作坊都给关停了").mixed_licence
    assert not context_of("这家无证作坊被关停了").mixed_licence


def test_length_buckets() -> None:
    assert [length_bucket(n) for n in (50, 200, 800, 5000)] == ["s", "m", "l", "xl"]
    assert "k:ctx.len.xl" in context_of("投诉" * 1000).features()


# issue 11: phenomena of real appeals, each in words of our own
@pytest.mark.parametrize(
    ("text", "modality"),
    [
        # a rule's "whoever …, the bureau shall …" clause is legal text, not an event
        ("未取得许可擅自开办的，由市场监管部门责令停止经营，处一万元罚款", "legal"),
        ("逾期不改的，由城管执法部门代为拆除，费用由当事人承担", "legal"),
        # the writer asks who should stop it, or exhorts the government in general
        ("这些黑作坊到底该由哪个部门取缔？", "demanded"),
        ("希望各部门切实打击取缔非法砂场", "demanded"),
        ("菜市场管理混乱，亟待整顿", "demanded"),
        # a business that went bankrupt stopped by itself
        ("这家宾馆早就停业了，因为破产了，地也卖了", "own"),
        # 被关 / 给封了 are imposed by their own wording
        ("那个培训机构因为无证办学被关停了", "imposed"),
    ],
)
def test_modality_of_real_appeal_phrasings(text: str, modality: str) -> None:
    assert first(text)[0] == modality


def test_schools_offices_and_halls_are_businesses() -> None:
    assert first("警方查封了这家公司的办公室")[1] == "business"
    assert first("区里把那家无证办学的舞蹈班关停了")[1] == "business"


def test_an_unnamed_object_is_an_event_only_with_an_authority() -> None:
    # 没收了手机 by people nobody names as an authority: no business stop
    assert context_of("那伙人把我拦下，没收了手机").events == []
    assert context_of("执法大队来了以后，全给没收了").events != []


def test_a_negation_over_the_object_and_an_echo_of_the_demand() -> None:
    assert first("这么多年，没有一个部门对这些黑作坊进行取缔")[0] == "negated"
    ctx = context_of("请求有关部门取缔无证托管班。希望组织力量排查，取缔全镇的无证托管班")
    assert [t.modality for t in ctx.triggers] == ["demanded", "demanded"]
    assert ctx.events == []


# issue 11, per-trigger event view: each trigger read from its own clause, in words of our own
@pytest.mark.parametrize(
    ("text", "modality"),
    [
        # a request addressed to an authority, the stop further on, over a comma
        ("申请有关部门联合执法，对这几家作坊给予取缔", "demanded"),
        ("望有关部门强制性拆除这些违规搭建的门面", "demanded"),
        ("这种黑诊所一定要取缔", "demanded"),
        # a question or a hypothesis
        ("城管有无执法权责令这家饭店停业？", "feared"),
        ("镇上传说要把河边的砂场全部关停", "feared"),
        # a plan is not a stop yet
        ("我的养殖场被划进了拆除名单", "feared"),
        # a negation over an adverb or over the passive
        ("物业说没有执法权，不能强行拆除", "negated"),
        ("我们厂从来没有被要求停产", "negated"),
        # a rule's wording: 由…部门…给予, a list of sanctions
        ("办园条件不达标的，由教育部门视情节轻重，给予限期整顿", "legal"),
        ("主管部门可以采取的措施包括责令限期改正、责令停止办学等", "legal"),
        # ordered, and then not stopped at all
        ("镇里说已经责令停产，可那个厂根本没停", "not_enforced"),
        # an office that did it, with 进行了
        ("县政府去年对这家水泥厂进行了关停", "imposed"),
    ],
)
def test_modality_read_from_the_clause(text: str, modality: str) -> None:
    assert first(text)[0] == modality


@pytest.mark.parametrize(
    ("text", "strong"),
    [
        ("市场监管局上周把这家饭店查封了", True),  # an authority before it
        ("那家培训机构无证办学被关停了", True),  # a business stopped in the passive
        ("因为国家政策，村里的小炼油厂被关停了", True),  # a policy or campaign as the doer
        ("物业强行把我们超市的电断了", False),  # a private party is the doer
        ("这个月燃气突然停了，也没有通知", False),  # a plain word that stops anything
        ("执法人员没收了他的三轮车", False),  # a seizure of things
        ("商户的牌匾被城管拆除了", False),  # a shop's sign is a structure
        ("我们强烈要求环保局关停这家化工厂", False),  # demanded
    ],
)
def test_a_strong_trigger_is_an_authority_stopping_a_business(text: str, strong: bool) -> None:
    assert any(t.strong for t in context_of(text).triggers) is strong


def test_a_sweeping_word_names_many_businesses_or_a_sudden_stop() -> None:
    assert context_of("县里一夜之间把二十几家砖厂都关停了").triggers[0].sweeping
    assert context_of("城管取缔了一批占道经营的摊点").triggers[0].sweeping
    # 全部 of the seized goods, 一起 as a measure word: not a collective stop
    assert not context_of("执法人员查封了全部设备").triggers[0].sweeping
    assert not context_of("市场监管局查处一起无证经营案，取缔了这家作坊").triggers[-1].sweeping
    # a few (几家) is not many; a whole market is
    assert not context_of("街道让少数几家物流公司搬迁").triggers[0].sweeping
    assert context_of("区里把整个农贸市场强拆了").triggers[0].sweeping


# issue 11, shutdown 2nd pass: in words of our own
@pytest.mark.parametrize(
    ("text", "modality"),
    [
        # a clause that opens with the request reaches its stop past a long name
        ("二、请求依法对城东某某建材贸易有限责任公司夜间违规施工的行为作出停工处理", "demanded"),
        ("1.恳请贵局对河边那家无任何手续的小型塑料颗粒加工作坊予以关停", "demanded"),
        # the request's clause ended: a new clause is read on its own
        ("我们请求过多次，后来区里把那家塑料厂查封了", "imposed"),
    ],
)
def test_a_request_clause_reaches_its_stop(text: str, modality: str) -> None:
    assert first(text)[0] == modality


def test_joined_verbs_share_the_first_ones_modality() -> None:
    promised = context_of("公司答应年底将仓库里的加工车间全部搬走，然后进行拆除")
    assert [t.modality for t in promised.triggers] == ["feared", "feared"]
    # not joined: a sentence of its own
    done = context_of("公司答应年底将加工车间搬走。上个月城管把车间拆除了")
    assert done.triggers[-1].modality == "imposed"


def test_a_sentence_without_a_subject_takes_the_authority_before_it() -> None:
    text = "县市场监管局接到举报后多次到现场调查取证。十月中旬，查封了这家黑作坊"
    assert context_of(text).triggers[-1].strong
    # a private party before it: not an authority's act
    text = "开发商带人到现场闹了一整天。十月中旬，关闭了这家小卖部"
    assert not context_of(text).triggers[-1].strong
    # the sentence names its own doer
    text = "县市场监管局来过一次。十月中旬，老板自己关闭了这家饭店"
    assert not context_of(text).triggers[-1].strong


def test_a_post_that_says_the_business_goes_on_is_defied() -> None:
    assert context_of("那家砖厂被环保局关停了，可现在照样在生产").defied
    assert context_of("乡里下了停工通知，那户人家还在修建，根本没有停工").defied
    assert not context_of("那家砖厂被环保局关停了，工人都回家了").defied
    assert not context_of("这家工地天天半夜还在施工").defied  # no stop in the post


# issue 11, shutdown 3rd pass: in words of our own
@pytest.mark.parametrize(
    ("text", "modality"),
    [
        # a decision told as made before a stop worded like a demand
        ("经查你单位无环评手续，本机关决定依法予以查封", "neutral"),  # not asked for
        ("执法人员当场依法取缔了这个窝点", "imposed"),
        ("那个露天烧烤场被依法取缔", "imposed"),
        ("请求依法取缔这个窝点", "demanded"),
        # an order received: passive or reported 要求
        ("园区里的企业被统一要求节前停产", "imposed"),
        ("乡里来人说上面要求我们明天就停产", "neutral"),
        ("我们要求那家厂停产", "demanded"),
        # a stop in the passive inside a request is told
        ("请求领导关注园区企业被集中停产的问题", "imposed"),
        # an urged stop with no authority before it is the writer's demand
        ("这家厂排污超标，必须整改，马上停产", "demanded"),
        ("执法局要求工地立即停工", "neutral"),
        # a stop of a few days with nobody imposing it is the business's own pause
        ("前阵子楼下那家洗车店停业了两天，说是老板回老家了", "own"),
        ("那家洗车店被责令停业三天", "imposed"),
        ("那家麻将馆上个月被关停了", "imposed"),  # 麻将 is no future 将
    ],
)
def test_modality_of_decisions_orders_and_urged_stops(text: str, modality: str) -> None:
    assert first(text)[0] == modality
