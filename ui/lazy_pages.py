"""A workspace's pages, each built the first time it is wanted (shown, or asked for by name),
not all at unlock: building every screen of a manager's workspace held the window for seconds
after the passphrase was accepted (docs/architecture.md, "Locking without a freeze").

    pages = LazyPages(stack, on_built)
    pages.add("Home", home_view)              # built already
    pages.add("Staff", lambda: StaffView(…))  # built when first wanted
    pages["Staff"]                            # builds it, puts it in the stack in its place
"""

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtWidgets import QStackedWidget, QWidget

Factory = Callable[[], QWidget]


class LazyPages(Mapping):
    def __init__(self, stack: QStackedWidget, on_built: Callable[[str, QWidget], None]):
        self._stack, self._on_built = stack, on_built
        self._order: list[str] = []
        self._made: dict[str, QWidget] = {}
        self._factories: dict[str, Factory] = {}
        self._holders: dict[str, QWidget] = {}

    def add(self, name: str, page: QWidget | Factory) -> None:
        self._order.append(name)
        if isinstance(page, QWidget):
            self._made[name] = page
            self._stack.addWidget(page)
            self._on_built(name, page)
        else:
            self._factories[name] = page
            holder = QWidget()      # keeps the page's place in the stack until it is built
            self._holders[name] = holder
            self._stack.addWidget(holder)

    def __getitem__(self, name: str) -> QWidget:
        if name in self._made:
            return self._made[name]
        factory = self._factories.pop(name)   # KeyError for a page this workspace has not
        view = factory()
        holder = self._holders.pop(name)
        index = self._stack.indexOf(holder)
        current = self._stack.currentIndex()
        self._stack.insertWidget(index, view)
        self._stack.removeWidget(holder)
        holder.deleteLater()
        self._made[name] = view
        if current == index:
            self._stack.setCurrentIndex(index)
        self._on_built(name, view)
        return view

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name) -> bool:
        return name in self._order

    def built(self) -> list[QWidget]:
        """The pages built so far (a lock clears these; the rest never held anything)."""
        return [self._made[name] for name in self._order if name in self._made]
