"""The parameter schema: declarations are checked, the chains run each sampler in exactly the
orders it declares, the presets are valid, and the JSON for manifest.json is plain JSON."""
import json
import math

import pytest

from nexttoken.sampling import PARAMS, PRESETS, SamplingParams, prepare
from nexttoken.sampling.params import ORDERS, schema
from nexttoken.sampling.carry import Carries, Carry
from nexttoken.sampling.schema import Param

LOGITS = [3 * math.sin(i * 1.7) + 0.01 * i for i in range(200)]
LOGITS[2], LOGITS[40], LOGITS[77] = 8.0, 7.7, 7.0  # top choices for XTC to exclude
# a long repeat for DRY, broken by 9, one of its default breakers
HISTORY = [9, 5, 7, 11] * 3 + [9, 5, 7]


def on_value(name, param):
    """A value that turns the setting on: a quarter of the way along its slider (three
    quarters if that is the default)."""
    default = getattr(SamplingParams(), name)
    if param.kind == "bias":
        return {5: 2.0, 9: -1.5}
    if param.kind == "tokens":  # DRY's breakers: none, so HISTORY's repeat runs across its 9s
        return []
    if param.kind == "choice":
        return next(c.value for c in param.choices if c.value != default)
    low, high = param.slider
    for value in (low + (high - low) / 4, low + 3 * (high - low) / 4):
        value = max(round(value), 1) if param.kind == "integer" else value
        if value != default:
            return value


def outcome(settings):
    """What a setting can change: the stages that ran, the final distribution, and the state
    it carries to the next token (Mirostat's mu). XTC's draw is 0: it acts whenever it is on."""
    prepared = prepare(LOGITS, HISTORY)
    params = SamplingParams(**settings)
    result = prepared.result(params, Carry(0.0))
    carries = Carries(0)
    carries.chose(result, params, result.kept_ids()[0], Carry(0.0))
    return ([s.name for s in prepared.trace(params, Carry(0.0))], result.distribution(),
            carries.after)


# sampler_order belongs to the order choice "custom" (tests/sampling/test_orders_more.py)
SAMPLERS = [name for name in PARAMS if name not in ("order", "sampler_order")]


@pytest.mark.parametrize("name", SAMPLERS)
@pytest.mark.parametrize("order", ORDERS)
def test_each_sampler_runs_in_exactly_the_orders_it_declares(name, order):
    """Alone, with every other sampler on, and with its family on (a setting may act only
    beside another one)."""
    declared = PARAMS[name].orders or ORDERS
    changed = []
    family = name.split("_")[0]  # dry_base acts only with dry_multiplier on, and so on
    for others in ({}, {n: on_value(n, PARAMS[n]) for n in SAMPLERS if n != name},
                   {n: on_value(n, PARAMS[n]) for n in SAMPLERS
                    if n != name and n.split("_")[0] == family}):
        off = outcome({**others, "order": order})
        on = outcome({**others, name: on_value(name, PARAMS[name]), "order": order})
        changed.append(on != off)
    if order in declared:
        assert any(changed), f"{name} changed nothing in the {order} order"
    else:
        assert not any(changed), f"{name} is declared for {declared} but changed the {order} order"


def test_every_default_validates_and_turns_its_sampler_off():
    assert outcome({}) == ([], prepare(LOGITS, HISTORY).distribution(SamplingParams()), [None])
    for name, param in PARAMS.items():
        default = getattr(SamplingParams(), name)
        assert param.check(name, default) == default


def test_the_json_schema_is_plain_json_with_every_declared_fact():
    text = json.dumps(schema(), allow_nan=False)  # no Infinity: unbounded ends are null
    fields = {f["name"]: f for f in json.loads(text)["fields"]}
    assert list(fields) == list(PARAMS)
    temperature = fields["temperature"]
    assert temperature == {"name": "temperature", "label": "Temperature", "help": PARAMS["temperature"].help,
                           "kind": "real", "default": 1.0, "group": "main", "symbol": "T",
                           "orders": list(ORDERS), "min": 0, "max": None, "min_open": False,
                           "max_open": False, "slider": [0, 2], "step": 0.05}
    assert fields["typical_p"]["min_open"] and fields["epsilon"]["max_open"]
    assert [c["value"] for c in fields["order"]["choices"]] == list(ORDERS)
    assert json.loads(text)["order_field"] == "order"


def test_presets_are_valid_settings():
    for preset in PRESETS:
        SamplingParams(**preset.settings)
    assert [p["key"] for p in schema()["presets"]] == [p.key for p in PRESETS]


def test_a_bad_preset_fails_the_schema_naming_it(monkeypatch):
    from nexttoken.sampling import params

    monkeypatch.setattr(params, "PRESETS", (params.Preset("hot", "Hot", {"temperature": -1}),))
    with pytest.raises(ValueError, match=r"preset 'hot': temperature must be in \[0, inf\], got -1"):
        params.schema()


@pytest.mark.parametrize("facts, message", [
    ({"slider": (0, 3), "high": 2}, r"slider \(0, 3\) must be two values in \[-inf, 2\]"),
    ({"slider": (0, 1), "low": 0, "low_open": True}, r"slider \(0, 1\) must be two values in \(0, inf\]"),
    ({"slider": ()}, "slider"),
    ({"kind": "text"}, "kind must be one of"),
    ({"kind": "choice"}, "a choice needs choices"),
    ({"group": "side", "slider": (0, 1)}, "group one of"),
])
def test_a_bad_declaration_is_refused_when_declared(facts, message):
    with pytest.raises(ValueError, match=message):
        Param("Thing", "Help.", **facts)


@pytest.mark.parametrize("param, value, message", [
    (Param("N", "", kind="integer", low=1, high=9, slider=(1, 9)), 10, r"n must be an integer in \[1, 9\], got 10"),
    (Param("N", "", kind="integer", low=0, slider=(0, 9)), 10 ** 400, None),
    (Param("X", "", low=0, high=1, high_open=True, slider=(0, 0.5)), 1, r"x must be in \[0, 1\), got 1"),
])
def test_checks_name_the_setting_value_and_range(param, value, message):
    if message is None:
        assert param.check("n", value) == value
    else:
        with pytest.raises(ValueError, match=message):
            param.check(message[0], value)
