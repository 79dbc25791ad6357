"""A stopped business that goes on (a reading of the shutdown context).

Decides ``Context.defied``: the post says a stopped business still works — an order not
enforced, told anywhere in the post — so no trigger of it lifts the post's shutdown score
(:func:`yuqing.nlp.tagger.combine`). Example: 砖厂被关停了。…到今年还照样在生产.
"""

from __future__ import annotations

import re

# The post says the stopped business goes on (an order not enforced, told anywhere in the post:
# 砖厂被关停了。…到今年还照样在生产 / 下了停工通知。…他家继续施工): its stops lift nothing.
DEFIED = re.compile(
    r"(?:照样|照常|照旧|依然|仍然|仍在|仍旧|继续|还在|又在)[^，,。；;！!？?]{0,8}?"
    r"(?:生产|施工|营业|经营|修建|开工|开业|作业|开采|采砂|排放)|根本(?:就)?没(?:有)?(?:停|关)|"
    r"停而不关|关而不停|明停暗开|偷偷(?:生产|开工|施工|营业)"
)
