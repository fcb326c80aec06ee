from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rating:
    """Stars given in total over a number of reviews (a listing's, or all of a seller's)."""

    total: int
    count: int

    @property
    def average(self) -> float | None:
        return round(self.total / self.count, 1) if self.count else None

    @property
    def stars(self) -> int:
        """Whole stars to fill: the average rounded half up (4.5 shows five), in integers."""
        return (2 * self.total + self.count) // (2 * self.count) if self.count else 0
