"""The service worker and its caches: two sites on one origin, two builds in two tabs, every page
offline after one visit, an old tab on a new build, a new build whose install fails, and a
store that never answers (Chromium only: the DevTools protocol restarts the worker).

Two builds of the same tiny model (1 MB shards and the default) play an old and a new deploy;
they share the runtimes and Python files and differ in the model's files."""
import time

import pytest

from export.site.manifest import loaded_files, read_manifest
from tests.runtime.conftest import BUILD, FILES, REGISTER, Visit, controlled_by
from tests.runtime.server import SiteServer

# The page's caches: every name, and the paths + ?sha256= of the stored files.
CACHES = """async () => {
    const files = await (await caches.open(""" + FILES + """)).keys();
    return {names: await caches.keys(), files: files.map((r) => {
        const url = new URL(r.url);
        return url.pathname + url.search;
    })};
}"""



def stored(prefix, manifest, info):
    files = loaded_files(manifest, info["ortBuild"])  # what that load downloaded and stored
    return {f"{prefix}{path}?sha256={entry['sha256']}" for path, entry in files.items()}


@pytest.fixture
def builds(site, tiny_site):
    old, new = read_manifest(site), read_manifest(tiny_site)
    assert old["build_id"] != new["build_id"]
    return old, new


def test_two_sites_on_one_origin_keep_their_caches(visit, site, tiny_site, builds, tmp_path):
    # user.github.io/a/ and user.github.io/b/: one origin, two sites, two service workers.
    a, b = builds
    (tmp_path / "a").symlink_to(site, target_is_directory=True)
    (tmp_path / "b").symlink_to(tiny_site, target_is_directory=True)
    with SiteServer(tmp_path) as server:
        visit.open(server.url + "a/")
        info = visit.load()
        expected = visit.greedy("Hello", 3)
        other = Visit(visit.context)
        other.open(server.url + "b/")
        other.load()
        other.greedy("Hello", 3)
        other.page.close()
        caches = visit.evaluate(CACHES)
        server.stop()
        # /a/ still works with no network: its shell and its files are all there.
        visit.page.reload()
        visit.wait_until_isolated()
        visit.load()
        offline = visit.greedy("Hello", 3)
    assert f"nexttoken-shell /a/ {a['build_id']}" in caches["names"]
    assert f"nexttoken-shell /b/ {b['build_id']}" in caches["names"]
    assert set(caches["files"]) == stored("/a/", a, info)
    assert offline == expected


def test_two_tabs_on_two_builds_keep_each_others_files(visit, site, tiny_site, builds, tmp_path):
    # Tab 1 is still downloading the old build when the new one is deployed and tab 2 loads it:
    # the new service worker, tab 2 and then tab 1 each clean up stale files, and none may
    # delete files of a build another open tab runs.
    old, new = builds
    current = tmp_path / "nexttoken"
    current.symlink_to(site, target_is_directory=True)
    last = old["onnx"]["external_data"]["shards"][-1]
    with SiteServer(tmp_path) as server:
        visit.open(server.url + "nexttoken/")
        server.fail("nexttoken/" + last, "hold")
        visit.evaluate("() => { window.first = window.nexttoken.load({stallSeconds: 600}); }")
        for _ in range(600):  # every request of the old build is made once the last shard is asked for
            if server.requests_for("nexttoken/" + last):
                break
            visit.page.wait_for_timeout(100)
        current.unlink()
        current.symlink_to(tiny_site, target_is_directory=True)
        visit.context.new_cdp_session(visit.page).send("Network.clearBrowserCache")
        tab2 = Visit(visit.context)
        tab2.open(server.url + "nexttoken/")
        tab2.onto_build(new["build_id"])
        info = tab2.load()
        tab2.greedy("Hello", 3)
        server.release()
        visit.evaluate("() => window.first")
        first = visit.greedy("Hello", 3)  # tab 1 still runs the old build
        first_build = visit.evaluate(BUILD)
        visit.page.wait_for_timeout(1000)  # tab 1's clean-up after its load
        caches = visit.evaluate(CACHES)
    assert first_build == old["build_id"] and len(first) == 3
    assert set(caches["files"]) == stored("/nexttoken/", old, info) | stored("/nexttoken/", new, info)


def test_an_idle_tab_of_the_old_build_reloads_onto_the_new_one(visit, site, tiny_site, builds, tmp_path):
    old, new = builds
    current = tmp_path / "nexttoken"
    current.symlink_to(site, target_is_directory=True)
    with SiteServer(tmp_path) as server:
        visit.open(server.url + "nexttoken/playground.html")
        assert visit.evaluate(BUILD) == old["build_id"]
        current.unlink()
        current.symlink_to(tiny_site, target_is_directory=True)
        visit.context.new_cdp_session(visit.page).send("Network.clearBrowserCache")
        tab2 = Visit(visit.context)
        tab2.open(server.url + "nexttoken/")
        tab2.onto_build(new["build_id"])
        # Tab 1 had not started the model: it reloads itself onto the new build.
        visit.page.wait_for_function(f"() => document.querySelector('script[data-build]')?.dataset.build === '{new['build_id']}'")
        visit.wait_until_isolated()
        info = visit.load()
    assert info["threads"] >= 1
    assert visit.errors == []


def test_every_page_opens_offline_after_one_visit(visit, site):
    manifest = read_manifest(site)
    with SiteServer(site) as server:
        visit.open(server.url)
        controlled_by(visit.page, manifest["build_id"])
        server.stop()
        titles = {}
        for page in ("playground.html", "embed.html?prompt=Hi", "credits.html", ""):
            visit.page.goto(server.url + page)
            visit.page.wait_for_function("() => !!window.nexttoken", timeout=20_000)
            titles[page] = visit.page.title()
    assert all(titles.values()), titles
    assert len(set(titles.values())) >= 3  # distinct pages, not one fallback page


NO_UPDATE_PENDING = """async (old) => {
    const registration = await navigator.serviceWorker.getRegistration();
    return !!registration && !registration.installing && !registration.waiting
        && registration.active?.scriptURL.endsWith("build=" + old);
}"""


def test_a_new_build_whose_shell_fails_to_install_leaves_the_old_one_working_offline(
        visit, site, tiny_site, builds, tmp_path):
    """A deploy where one shell file fails while the new worker precaches: the install fails as
    a whole, the old worker and its complete shell stay, and every page still opens offline."""
    old, new = builds
    current = tmp_path / "nexttoken"
    current.symlink_to(site, target_is_directory=True)
    with SiteServer(tmp_path) as server:
        visit.open(server.url + "nexttoken/")
        controlled_by(visit.page, old["build_id"])
        current.unlink()
        current.symlink_to(tiny_site, target_is_directory=True)
        server.fail("nexttoken/credits.html", "status", status=500)
        visit.context.new_cdp_session(visit.page).send("Network.clearBrowserCache")
        # What sw-register.js does on a page of the new build (registered directly: on a busy
        # machine the old worker may answer a navigation from its shell, after 4 s)
        visit.evaluate(REGISTER, new["build_id"])
        deadline = time.monotonic() + 60
        while not server.requests_for("nexttoken/credits.html"):  # the new worker's install asks
            assert time.monotonic() < deadline, "the new build's worker never tried to install"
            time.sleep(0.1)
        visit.page.wait_for_function(NO_UPDATE_PENDING, arg=old["build_id"])  # ... and failed
        server.stop()
        builds_offline = {}
        for page in ("playground.html", "credits.html", ""):
            visit.page.goto(server.url + "nexttoken/" + page)
            visit.page.wait_for_function("() => !!window.nexttoken", timeout=20_000)
            builds_offline[page] = visit.evaluate(BUILD)
    assert builds_offline == {page: old["build_id"] for page in builds_offline}


# Every Cache API call in the service worker's global never settles: what a stuck store looks
# like to it (seen in Firefox under concurrent use; no browser hangs it on demand).
HANGING_STORE = """() => {
    const never = () => new Promise(() => {});
    for (const name of ["open", "match", "has", "keys", "delete"]) CacheStorage.prototype[name] = never;
    for (const name of ["match", "matchAll", "put", "add", "addAll", "keys", "delete"]) Cache.prototype[name] = never;
    return self.marker ?? null;
}"""
STORAGE_SECONDS = 3  # sw.js gives a Cache API read up after this (STORAGE_MS)


def test_a_service_worker_whose_store_hangs_answers_from_the_network(visit, site):
    """The reader comes back to the site; the browser starts its stopped service worker for the
    page, and the worker's store never answers. Every request waits on the worker's first read
    of its build's manifest from the store (sw.js readManifest), which is given up after 3 s for
    the network: the page loads, a few seconds late."""
    with SiteServer(site) as server:
        visit.open(server.url)
        worker = visit.context.service_workers[0]
        worker.evaluate("() => { self.marker = 'before the restart'; }")
        # Away from the site (no page of it can make a request meanwhile), the worker is stopped,
        # then started with nothing to answer (the DevTools protocol does both), so its store
        # hangs before it reads anything; Playwright's handle evaluates in the running instance.
        visit.page.goto("about:blank")
        cdp = visit.context.new_cdp_session(visit.page)
        cdp.send("ServiceWorker.enable")
        cdp.send("ServiceWorker.stopAllWorkers")
        cdp.send("ServiceWorker.startWorker", {"scopeURL": server.url})
        assert worker.evaluate(HANGING_STORE) is None  # a fresh instance
        pages = server.requests_for("/")
        started = time.monotonic()
        visit.page.goto(server.url, timeout=30_000)  # without the give-up it never loads
        visit.page.wait_for_function("() => window.nexttoken?.state === 'idle'", timeout=30_000)
        seconds = time.monotonic() - started
        from_network = server.requests_for("/") - pages
        controlled = visit.evaluate("navigator.serviceWorker.controller !== null && crossOriginIsolated")
    assert STORAGE_SECONDS <= seconds < 30, seconds  # it waited for the store, then gave it up
    assert from_network == 1 and controlled
    assert visit.errors == []
