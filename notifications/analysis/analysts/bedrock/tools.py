"""One forced tool per output: its input schema *is* the output schema (from the pydantic model)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from notifications.profiles.schemas import DraftMessage, PriorityAnalysis, Segmentation

TOOLS: dict[str, tuple[str, type[BaseModel], str]] = {
    "segment": ("record_segmentation", Segmentation, "Record the customer's segment, confidence and reasons."),
    "prioritise": (
        "record_priority_analysis",
        PriorityAnalysis,
        "Record the priority analysis of a Value Seeker: risk, urgency, trigger factors and the plan of approach.",
    ),
    "draft": ("record_draft_message", DraftMessage, "Record the draft message for the agent to review."),
}


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """Resolve `$ref`s into `$defs` and drop titles: smaller, and friendlier to every model."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k not in {"title", "$defs"}}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def input_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    return _inline(schema, schema.get("$defs", {}))


def tool_name(operation: str) -> str:
    return TOOLS[operation][0]


def tool_config(operation: str) -> dict[str, Any]:
    name, model, description = TOOLS[operation]
    return {
        "tools": [
            {"toolSpec": {"name": name, "description": description, "inputSchema": {"json": input_schema(model)}}}
        ],
        "toolChoice": {"tool": {"name": name}},
    }
