"""The one registry type: keyed by the user's word, duplicates refused, plugins scoped."""

from __future__ import annotations

import pytest

from generator.registry import PluginScope, Registry, collecting


def entries(registry: Registry[str], scope: PluginScope | None = None) -> dict[str, str]:
    return registry.view(scope)


@pytest.mark.parametrize(
    ("registrations", "expected"),
    [
        # (key, entry, module, inside a plugin scope?) -> built-ins afterwards, or the error
        ([("a", "A", "generator.x", False)], {"a": "A"}),
        (
            [("a", "A", "generator.x", False), ("b", "B", "generator.y", False)],
            {"a": "A", "b": "B"},
        ),
        (
            [("a", "A", "generator.x", False), ("a", "A2", "generator.y", False)],
            "kind 'a' is already registered by generator.x",
        ),
        (
            [("a", "A", "generator.x", False), ("a", "P", "thesis_plugin_p", True)],
            "kind 'a' is already registered by generator.x",
        ),
        (
            [("p", "P", "thesis_plugin_p", True), ("p", "Q", "thesis_plugin_q", True)],
            "kind 'p' is already registered by thesis_plugin_p",
        ),
        # a plugin's entry stays in its scope; a built-in imported meanwhile is global
        ([("p", "P", "thesis_plugin_p", True), ("b", "B", "generator.y", True)], {"b": "B"}),
        # code outside any plugin scope (a test, a script) registers like a built-in
        ([("t", "T", "test_module", False)], {"t": "T"}),
    ],
)
def test_registrations(registrations, expected):
    registry: Registry[str] = Registry("kind")
    scope = PluginScope()

    def run() -> None:
        for key, entry, module, in_scope in registrations:
            if in_scope:
                with collecting(scope):
                    registry.register(key, entry, module)
            else:
                registry.register(key, entry, module)

    if isinstance(expected, str):
        with pytest.raises(ValueError, match=f"^{expected}$"):
            run()
    else:
        run()
        assert dict(registry) == expected


def test_a_plugin_entry_is_seen_only_through_its_own_scope():
    registry: Registry[str] = Registry("rule kind")
    registry.register("builtin", "B", "generator.rules.x")
    mine, other = PluginScope(), PluginScope()
    with collecting(mine):
        registry.register("plugin", "P", "thesis_plugin_mine")
    assert entries(registry, mine) == {"builtin": "B", "plugin": "P"}
    assert entries(registry, other) == {"builtin": "B"}
    assert entries(registry) == {"builtin": "B"}
    assert "plugin" not in registry and list(registry) == ["builtin"]
    assert registry.module_of("plugin", mine) == "thesis_plugin_mine"
    assert registry.module_of("plugin") is None
    # the same plugin loaded again for another thesis registers afresh there
    with collecting(other):
        registry.register("plugin", "P again", "thesis_plugin_mine")
    assert entries(registry, other)["plugin"] == "P again"


def test_the_decorator_registers_the_function_and_returns_it():
    registry: Registry[object] = Registry("chart for rule kind")

    @registry.decorator("k")
    def build() -> None:
        """Docs."""

    assert registry["k"] is build
    with pytest.raises(ValueError, match="chart for rule kind 'k' is already registered by"):
        registry.decorator("k")(lambda: None)


def test_a_plugin_kind_does_not_leak_into_the_next_thesis(tmp_path):
    """Load the example thesis with its plugin rule, then the default one: the schema and the
    rules reference of the default thesis know nothing of the plugin's kind."""
    from pathlib import Path

    from generator.loader import load_thesis
    from generator.pages import rules_reference
    from generator.rules import RULES
    from generator.schema import schema_text

    root = Path(__file__).resolve().parents[1]
    example = load_thesis(root / "examples" / "dollar-liquidity" / "thesis.yml")
    assert "realized_volatility" in {r["kind"] for r in rules_reference(example)}
    default = load_thesis(root / "thesis.yml")
    assert "realized_volatility" not in {r["kind"] for r in rules_reference(default)}
    assert "realized_volatility" not in RULES
    assert "realized_volatility" not in schema_text()
    # loading the example again (same process) finds its plugin again
    again = load_thesis(root / "examples" / "dollar-liquidity" / "thesis.yml")
    calm = next(c for c in again.checks if c.id == "nasdaq_calm")
    assert calm.rule.kind == "realized_volatility"


def test_every_source_word_of_the_models_has_a_registered_kind():
    import typing

    from generator.config import SeriesSpec
    from generator.sources.kinds import SOURCES

    union = typing.get_args(SeriesSpec)[0]
    words = {
        typing.get_args(m.model_fields["source"].annotation)[0] for m in typing.get_args(union)
    }
    assert words == set(SOURCES) == {"yahoo", "fred", "basket", "formula"}


def test_fetch_targets_list_every_stored_series_once():
    """Worked out from thesis.yml's text: each Yahoo and FRED symbol and its stand-in
    (``fallback``), each basket member (from Yahoo), nothing for a formula; first mention
    first."""
    from pathlib import Path

    import yaml

    from generator.loader import load_thesis
    from generator.sources.kinds import fetch_targets

    path = Path(__file__).resolve().parents[1] / "thesis.yml"
    expected: list[tuple[str, str]] = []
    for spec in yaml.safe_load(path.read_text())["series"].values():
        found = {
            "yahoo": [("yahoo", spec.get("symbol"))],
            "fred": [("fred", spec.get("symbol"))],
            "basket": [("yahoo", m) for m in spec.get("members", [])],
            "formula": [],
        }[spec["source"]]
        if "fallback" in spec:
            found.append((spec["source"], spec["fallback"]["symbol"]))
        expected += [f for f in found if f not in expected]
    targets = fetch_targets(load_thesis(path))
    assert [(fetcher, symbol) for fetcher, symbol, _ in targets] == expected
    assert ("fred", "DFF", None) in targets  # max_jump: null turns the jump check off
    assert ("yahoo", "IWM") in expected  # rut's stand-in
