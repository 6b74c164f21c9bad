"""A small Playwright-like locator over the engine-neutral page (tests/engines/page.py), so a
test reads the same in every engine: ``page_locator(page, "#x li").nth(2).locator("button").click()``.

A locator is a chain of (CSS selector, index) steps, resolved in the page at each use; actions
wait until their element exists (clicks also until it is visible and enabled), queries do not.
"""
import itertools

# Resolve a chain of [selector, index] steps from the document; null if any step finds nothing.
FIND = """const find = (chain) => {
    let scope = document;
    for (const [selector, index] of chain) {
        const all = scope.querySelectorAll(scope === document ? selector : ':scope ' + selector);
        scope = all[index ?? 0];
        if (!scope) return null;
    }
    return scope;
};
const findAll = (chain) => {
    const parent = chain.length > 1 ? find(chain.slice(0, -1)) : document;
    if (!parent) return [];
    const [selector, index] = chain[chain.length - 1];
    const all = [...parent.querySelectorAll(parent === document ? selector : ':scope ' + selector)];
    return index === null ? all : all.slice(index, index + 1);
};"""

_marks = itertools.count(1)


class Locator:
    def __init__(self, page, chain):
        self.page, self.chain = page, chain

    def locator(self, selector):
        if self.chain[-1][1] is None:  # no index yet: one CSS selector reads faster in errors
            return Locator(self.page, [*self.chain[:-1], (f"{self.chain[-1][0]} {selector}", None)])
        return Locator(self.page, [*self.chain, (selector, None)])

    def nth(self, index):
        return Locator(self.page, [*self.chain[:-1], (self.chain[-1][0], index)])

    @property
    def first(self):
        return self.nth(0)

    def _call(self, body, arg=None):
        """Run ``body`` with ``el`` (the element or null), ``all`` (every match) and ``arg``."""
        return self.page.evaluate(f"""([chain, arg]) => {{ {FIND}
            const el = find(chain), all = findAll(chain);
            {body} }}""", [[list(step) for step in self.chain], arg])

    def _wait(self):
        self.page.wait_for(f"(chain) => {{ {FIND} return find(chain) !== null; }}", [list(s) for s in self.chain])

    def _mark(self):
        """A CSS selector for exactly this element (for the engine's own click)."""
        self._wait()
        mark = str(next(_marks))
        self._call("el.setAttribute('data-engine-target', arg);", mark)
        return f'[data-engine-target="{mark}"]'

    # --- actions ----------------------------------------------------------------------------

    def click(self, count=1):
        self.page.click(self._mark(), count=count)

    def dblclick(self):
        self.click(count=2)

    def fill(self, text):
        self._wait()
        self._call("el.focus(); el.value = arg; el.dispatchEvent(new Event('input', {bubbles: true}));", text)

    def focus(self):
        self._wait()
        self._call("el.focus();")

    def press(self, key):
        self.focus()
        self.page.press(key)

    def dispatch_event(self, name):
        self._wait()
        self._call("el.dispatchEvent(new Event(arg, {bubbles: true}));", name)

    def select_option(self, value):
        self._wait()
        self._call("el.value = arg; el.dispatchEvent(new Event('input', {bubbles: true})); "
                   "el.dispatchEvent(new Event('change', {bubbles: true}));", value)

    def check(self):
        self._wait()
        if not self._call("return el.checked;"):
            self.click()

    def uncheck(self):
        self._wait()
        if self._call("return el.checked;"):
            self.click()

    # --- queries ----------------------------------------------------------------------------

    def input_value(self):
        self._wait()
        return self._call("return el.value;")

    def text_content(self):
        self._wait()
        return self._call("return el.textContent;")

    def get_attribute(self, name):
        self._wait()
        return self._call("return el.getAttribute(arg);", name)

    def count(self):
        return self._call("return all.length;")

    def all_text_contents(self):
        return self._call("return all.map((e) => e.textContent);")

    def is_visible(self):
        return self._call("""if (!el) return false;
            const style = getComputedStyle(el), box = el.getBoundingClientRect();
            return style.visibility !== 'hidden' && style.display !== 'none' && box.width > 0 && box.height > 0;""")

    def is_hidden(self):
        return not self.is_visible()

    def is_disabled(self):
        self._wait()
        return self._call("return el.disabled === true;")

    def is_enabled(self):
        return not self.is_disabled()


def page_locator(page, selector):
    return Locator(page, [(selector, None)])
