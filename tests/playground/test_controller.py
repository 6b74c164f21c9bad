"""The playground's controller is a state machine (playground/machine.js): its moves, and the
state the page shows in data-state while an action runs."""
from tests.playground.page import Playground

MACHINE = "assets/js/playground/machine.js"


def test_the_machine_allows_only_its_moves(browser, site_url):
    pg = Playground(browser, site_url + "credits.html")
    got = pg.evaluate("""async (path) => {
        const { STATES, createMachine } = await import(new URL(path, document.baseURI).href);
        const seen = [];
        const machine = createMachine((state) => seen.push(state));
        const refused = (next) => { try { machine.to(next); return false; } catch (err) { return err.message; } };
        const out = { states: STATES, busyAtStart: machine.busy };
        out.idleToStopping = refused("stopping");
        machine.to("loading"); machine.to("replaying"); machine.to("stopping");
        out.stoppingToGenerating = refused("generating");
        machine.to("idle"); machine.to("generating"); machine.to("stopping"); machine.to("idle");
        machine.to("stepping");
        out.canStopAStep = machine.can("stopping");
        out.busy = machine.busy;
        machine.to("idle");
        out.seen = seen;
        return out;
    }""", MACHINE)
    assert got["states"] == ["idle", "loading", "stepping", "generating", "replaying", "stopping"]
    assert got["busyAtStart"] is False and got["busy"] is True and got["canStopAStep"] is False
    assert got["idleToStopping"] == "playground: no move from idle to stopping"
    assert got["stoppingToGenerating"] == "playground: no move from stopping to generating"
    assert got["seen"] == ["loading", "replaying", "stopping", "idle", "generating", "stopping", "idle", "stepping", "idle"]
    pg.close()
