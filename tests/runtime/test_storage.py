"""Storage: files are kept in the Cache API under their sha256; a damaged stored copy is
downloaded again (never a crash); a full quota is a notice, and the model still loads."""
from export.site.manifest import loaded_files, read_manifest
from tests.runtime.conftest import FILES
from tests.runtime.server import SiteServer

# Damage stored copies in place: flip one byte of one file, cut another file short.
DAMAGE = """async ([flip, cut]) => {
    const cache = await caches.open(""" + FILES + """);
    const keys = (await cache.keys()).map((r) => r.url);
    for (const [path, truncate] of [[flip, false], [cut, true]]) {
        const key = keys.find((k) => new URL(k).pathname.endsWith("/" + path));
        const stored = await cache.match(key);
        let bytes = new Uint8Array(await stored.arrayBuffer());
        if (truncate) bytes = bytes.slice(0, bytes.length >> 1); else bytes[bytes.length >> 1] ^= 0xff;
        await cache.put(key, new Response(bytes, {headers: stored.headers}));
    }
    return keys.length;
}"""

# The sha256 of every stored file, by path.
STORED_HASHES = """async () => {
    const cache = await caches.open(""" + FILES + """);
    const out = {};
    for (const request of await cache.keys()) {
        const bytes = await (await cache.match(request)).arrayBuffer();
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        const path = new URL(request.url).pathname.slice(1);
        out[path] = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    }
    return out;
}"""


def all_files(manifest, info):
    return loaded_files(manifest, info["ortBuild"])  # what that load downloaded and stored


def test_damaged_stored_files_are_downloaded_again(visit, site):
    manifest = read_manifest(site)
    model = manifest["onnx"]["external_data"]["shards"][1]
    with SiteServer(site) as server:
        page = visit.open(server.url)
        info = visit.load()
        runtime = next(p for p in all_files(manifest, info) if p.endswith(".wasm"))
        expected = visit.greedy("Hello")
        stored = visit.evaluate(DAMAGE, [model, runtime])
        # Only the damaged copies may be fetched again: from the server, not the HTTP cache.
        visit.context.new_cdp_session(page).send("Network.clearBrowserCache")
        before = {p: server.requests_for(p) for p in (model, runtime)}
        page.reload()
        visit.wait_until_isolated()
        visit.load()
        again = visit.greedy("Hello")
        refetched = {p: server.requests_for(p) - before[p] for p in (model, runtime)}
        hashes = visit.evaluate(STORED_HASHES)
    assert stored == len(all_files(manifest, info))  # every file was stored on the first visit
    assert refetched == {model: 1, runtime: 1}
    assert again == expected
    assert hashes == {path: entry["sha256"] for path, entry in all_files(manifest, info).items()}
    assert any("damaged" in w for w in visit.warnings)
    assert visit.errors == []


def test_full_storage_is_a_notice_not_a_failure(visit, site):
    # Chromium applies a CDP quota override to the page's own storage calls, not the engine
    # worker's, so this runs the engine's Downloader in the page, against a real full quota.
    manifest = read_manifest(site)
    paths = [manifest["tokenizer"]["vocab"], *manifest["onnx"]["external_data"]["shards"][:2]]
    with SiteServer(site) as server:
        page = visit.open(server.url)
        cdp = visit.context.new_cdp_session(page)
        cdp.send("Storage.overrideQuotaForOrigin", {"origin": server.url.rstrip("/"), "quotaSize": 1_000})
        result = page.evaluate("""async (paths) => {
            const {Downloader, fetchManifest, sha256Hex} = await import(new URL("assets/js/runtime/fetch.js", document.baseURI).href);
            const notices = [];
            const downloader = new Downloader(await fetchManifest(), {onNotice: (n) => notices.push(n)});
            const files = await downloader.fetchAll(paths);
            const hashes = await Promise.all([...files.values()].map(sha256Hex));
            return {notices, hashes};
        }""", paths)
    assert [n["code"] for n in result["notices"]] == ["storage-full"]
    assert "storage" in result["notices"][0]["message"] and "next visit" in result["notices"][0]["message"]
    assert result["hashes"] == [manifest["files"][p]["sha256"] for p in paths]


CACHES = """async () => {
    const files = await (await caches.open(""" + FILES + """)).keys();
    return {names: await caches.keys(), files: files.map((r) => new URL(r.url).pathname.split("/").pop() + new URL(r.url).search)};
}"""


SCOPE_CACHES = ["nexttoken-files /nexttoken/", "nexttoken-builds /nexttoken/"]


def stored_keys(manifest, info):
    return {f"{path.split('/')[-1]}?sha256={entry['sha256']}" for path, entry in all_files(manifest, info).items()}


def test_a_new_build_evicts_the_old_one(visit, site, tiny_site, tmp_path):
    # Two builds of the same model, one with 1 MB shards and one with the default: the second
    # deploys over the first at the same URL.
    old, new = read_manifest(site), read_manifest(tiny_site)
    assert old["build_id"] != new["build_id"]
    current = tmp_path / "nexttoken"
    current.symlink_to(site, target_is_directory=True)
    with SiteServer(tmp_path) as server:
        page = visit.open(server.url + "nexttoken/")
        info = visit.load()
        before = visit.evaluate(CACHES)
        current.unlink()
        current.symlink_to(tiny_site, target_is_directory=True)
        # The test server answers If-Modified-Since by file date, and the new build's files may
        # be older than the old one's: forget the HTTP cache so the swap cannot look unmodified.
        visit.context.new_cdp_session(page).send("Network.clearBrowserCache")
        page.reload()
        # The new build's worker is "activated" once its clean-up (sw.js, "activate") is done.
        visit.onto_build(new["build_id"])
        after = visit.evaluate(CACHES)
        visit.load()
        ids = visit.greedy("Hello", 3)
    shell = "nexttoken-shell /nexttoken/ {}".format
    assert sorted(before["names"]) == sorted([*SCOPE_CACHES, shell(old["build_id"])])
    assert set(before["files"]) == stored_keys(old, info)
    assert sorted(after["names"]) == sorted([*SCOPE_CACHES, shell(new["build_id"])])
    # The new worker kept the files both builds share and deleted the old build's own.
    assert set(after["files"]) == stored_keys(old, info) & stored_keys(new, info)
    assert len(ids) == 3
