"""The one exception type for bad input, shared by every layer of the package."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input the user can fix: the CLI prints it as one message and exits with code 2.

    Parameters
    ----------
    problem
        What is wrong, in one sentence.
    file
        The file (or workspace entry) concerned.
    feature
        The feature (id or row number) concerned, where there is one.
    fix
        What the user should do about it.

    Examples
    --------
    >>> str(InputError("no CRS", file="a.shp", fix="declare crs = 'EPSG:4544'"))
    "a.shp: no CRS. Fix: declare crs = 'EPSG:4544'"
    """

    def __init__(
        self,
        problem: str,
        *,
        file: object | None = None,
        feature: object | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(file)
        self.feature = feature
        self.fix = fix
        super().__init__(self.message())

    def message(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.feature is not None:
            where.append(f"feature {self.feature}")
        text = ": ".join([*where, self.problem])
        if self.fix:
            text += f". Fix: {self.fix}"
        return text

    def with_file(self, file: object) -> InputError:
        """Return a copy that names ``file`` when the raiser did not know it."""
        if self.file:
            return self
        return InputError(self.problem, file=file, feature=self.feature, fix=self.fix)

    def __str__(self) -> str:
        return self.message()
