"""A stopped business that goes on (a reading of the shutdown context).

Decides ``Context.defied``: the post says a stopped business still works — an order not
enforced, told anywhere in the post — so no trigger of it lifts the post's shutdown score, and
the events of a part that says so count as no stop (:func:`yuqing.nlp.combine.combine`).
Example: 砖厂被关停了。…到今年还照样在生产; 已责令停止施工…但实际上一直在施工; 不了了之.
"""

from __future__ import annotations

import re

# The post says the stopped business goes on (an order not enforced, told anywhere in the post:
# 砖厂被关停了。…到今年还照样在生产 / 下了停工通知。…他家继续施工): its stops lift nothing.
DEFIED = re.compile(
    r"(?:照样|照常|照旧|依然|仍然|仍在|仍旧|继续|还在|又在)[^，,。；;！!？?]{0,8}?"
    r"(?:生产|施工|营业|经营|修建|开工|开业|作业|开采|采砂|排放)|根本(?:就)?没(?:有)?(?:停|关)|"
    r"停而不关|关而不停|明停暗开|偷偷(?:生产|开工|施工|营业)|"
    # issue 11, shutdown 4th pass: 一直在…施工 after an order, an order that came to nothing
    # (不了了之, 也不管了), an operator who ignores it (依然我行我素)
    r"一直在[^，,。；;！!？?]{0,6}?(?:生产|施工|营业|经营|开采)|不了了之|(?:也|就)不管了|我行我素"
)
