"""``syncspec plan --format json``: the plan model dumped as versioned JSON.

It is byte for byte what ``plan --out`` saves (so a printed plan can be applied), with keys in
a fixed order and every key always present (null/[] when empty). ``format_version`` changes only
when a key changes meaning or disappears. The key reference is in the README ("Plan JSON").
"""

from __future__ import annotations

from syncspec.engine.model import Plan
from syncspec.engine.plan import plan_to_json


def render_plan_json(plan: Plan) -> str:
    return plan_to_json(plan)
