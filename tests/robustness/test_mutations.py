"""Property tests: real files with bits flipped, cut short, spliced, fed through every probe
and every rule family in process. Derandomized, so CI sees the same examples every run;
`make fuzz` runs the same targets for as long as asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutation import HEAD, MANIFEST_SEEDS, OPERATIONS, Op, apply, check_manifest, check_media
from mutation import make_seeds as make_media_seeds

positions = st.integers(0, HEAD - 1) | st.integers(0, 1 << 24)
arguments = st.sampled_from([b"\xff\xff\xff\xff", b"\0\0\0\0"]) | st.binary(min_size=1, max_size=64)
operation: st.SearchStrategy[Op] = st.tuples(
    st.sampled_from(OPERATIONS), positions, arguments | st.integers(0, 1 << 24)
)
mutations = st.lists(operation, min_size=1, max_size=4)
PROPERTY = settings(
    max_examples=600,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Seeds(dict[str, bytes]):
    def __repr__(self) -> str:  # hypothesis prints a failing example's arguments
        return f"<seed files: {', '.join(self)}>"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Seeds:
    return Seeds(make_media_seeds(tmp_path_factory.mktemp("seeds")))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mutants")


def test_seeds_are_read_cleanly(seeds: dict[str, bytes], workdir: Path) -> None:
    """The unmutated seeds are real, readable files: the mutants start from valid input."""
    from preflight.probe import probe_file

    for name, data in seeds.items():
        check_media(workdir, name, data)
        (workdir / name).write_bytes(data)
        facts = probe_file(workdir / name, name)
        assert facts.problem is None and facts.media is not None, (name, facts)
        (workdir / name).unlink()


@PROPERTY
@given(data=st.data())
def test_mutated_media(seeds: dict[str, bytes], workdir: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(seeds)), label="seed")
    ops = data.draw(mutations, label="mutations")
    check_media(workdir, name, apply(seeds[name], ops))


@settings(PROPERTY, max_examples=300)
@given(name=st.sampled_from(sorted(MANIFEST_SEEDS)), ops=mutations)
def test_mutated_manifests(workdir: Path, name: str, ops: list[Op]) -> None:
    check_manifest(workdir, name, apply(MANIFEST_SEEDS[name], ops))
