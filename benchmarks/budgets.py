"""One way to judge a measured figure against its budget, shared by the benchmark scripts."""


def verdict(budget: tuple[str, float], value: float) -> str:
    """``"ok"`` or ``"OVER"`` with the budget, for ``budget = ("<=" | ">=", limit)``."""
    op, limit = budget
    ok = value <= limit if op == "<=" else value >= limit
    return f"{'ok  ' if ok else 'OVER'} (budget {op} {limit})"
