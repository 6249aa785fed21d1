"""The two lines under a team page's table: what the last task did, or why it failed. One
place for the three pages (the team, this laptop, cases out on laptops)."""

from ui.formatting import describe_error


class OutcomeLines:
    """For a page with `status` and `error` labels and a `load()` that reads the list again."""

    def _done(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()
        self.load()

    def _failed(self, exc: Exception) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()
