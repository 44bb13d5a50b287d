"""The clip store: clips pushed out of memory come back the same, from files of their
own, without the engine or the clip cache; memory holds at most its budget."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pytest

from voiceguide.audio.store import ClipStore
from voiceguide.speech.cache import ClipCache
from voiceguide.testing import FakeSynthesizer

RATE = 44_100
TEXTS = [f"Sentence number {n} of the guide, said slowly and calmly." for n in range(6)]


def filled(tmp_path: Path, memory_bytes: int) -> tuple[ClipStore, FakeSynthesizer, ClipCache]:
    fake = FakeSynthesizer()
    cache = ClipCache(tmp_path / "cache")
    store = ClipStore(fake, RATE, cache, memory_bytes=memory_bytes)
    for text, recording in fake.synthesize(TEXTS):
        store.keep(text, recording)
    return store, fake, cache


def test_clips_pushed_out_come_back_the_same_without_the_engine_or_the_cache(
    tmp_path: Path,
) -> None:
    """With room for about two clips, every clip still comes back, sample for sample,
    in any order and more than once; nothing is said again or read from the cache
    (it is empty here: the store was handed its recordings)."""
    reference, _, _ = filled(tmp_path / "big", memory_bytes=1 << 30)
    expected = {text: reference.clip(text).copy() for text in TEXTS}
    clip_bytes = expected[TEXTS[0]].nbytes
    store, fake, cache = filled(tmp_path / "small", memory_bytes=2 * clip_bytes)
    spoken = len(fake.spoken)
    for text in [*TEXTS, *reversed(TEXTS), *TEXTS[::2]]:
        np.testing.assert_array_equal(store.clip(text), expected[text])
        assert store._bytes <= 2 * clip_bytes
    assert len(fake.spoken) == spoken
    assert cache.missing(fake.key, TEXTS) == TEXTS


def test_a_spilled_clip_that_comes_back_short_is_made_again(tmp_path: Path) -> None:
    """A file cut short (a full disk while it was written, say) is not taken: the
    clip is made again, whole."""
    store, fake, _ = filled(tmp_path, memory_bytes=1)
    first = TEXTS[0]
    path = store._spilled.files[first]
    path.write_bytes(path.read_bytes()[:1000])
    clip = store.clip(first)
    assert len(clip) == store.frames[first]
    assert fake.spoken.count(first) == 2


def test_the_spill_folder_goes_with_the_store(tmp_path: Path) -> None:
    """The temporary folder of pushed-out clips is made only when one is pushed out,
    and removed once the store is gone."""
    roomy, _, _ = filled(tmp_path / "roomy", memory_bytes=1 << 30)
    assert roomy._spilled.folder is None
    store, _, _ = filled(tmp_path / "tight", memory_bytes=1)
    folder = store._spilled.folder
    assert folder is not None
    assert sorted(p.name for p in folder.iterdir()) == [f"{n}.f32" for n in range(1, 6)]
    del store
    gc.collect()
    assert not folder.exists()


def test_a_clip_made_again_replaces_its_spilled_file(tmp_path: Path) -> None:
    """Keeping a new recording of a text drops the file of its old clip; later files
    never take the name of one still in use."""
    store, fake, _ = filled(tmp_path, memory_bytes=1)
    old = store._spilled.files[TEXTS[0]]
    store.keep(TEXTS[0], fake.hum(TEXTS[0]))
    assert not old.exists()
    store.keep(TEXTS[-1], fake.hum(TEXTS[-1]))  # pushes TEXTS[0] out again
    names = [path.name for path in store._spilled.files.values()]
    assert len(names) == len(set(names))
    assert all(path.exists() for path in store._spilled.files.values())


def test_a_forked_copy_reads_the_files_but_changes_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a forked copy (another process id), clips pushed out are not written, files
    of clips made again are not removed, nor is the folder: they are the parent's."""
    store, fake, _ = filled(tmp_path, memory_bytes=1)
    spilled = store._spilled
    folder = spilled.folder
    assert folder is not None
    before = sorted(folder.iterdir())
    monkeypatch.setattr("voiceguide.audio.store.os.getpid", lambda: spilled.owner + 1)
    np.testing.assert_array_equal(store.clip(TEXTS[0]), np.fromfile(before[0], np.float32))
    store.keep(TEXTS[1], fake.hum(TEXTS[1]))  # made again: its old file stays
    for text in TEXTS:
        store.clip(text)
    spilled.remove()
    assert sorted(folder.iterdir()) == before


def test_clips_written_out_are_read_back_by_a_copy_not_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """write_out puts every clip held in memory in a file too: a forked copy with
    little memory reads each one back rather than say it (or read the cache) again."""
    store, fake, _ = filled(tmp_path, memory_bytes=1 << 30)
    expected = {text: store.clip(text).copy() for text in TEXTS}
    store.write_out()
    assert sorted(store._spilled.files) == sorted(TEXTS)
    monkeypatch.setattr("voiceguide.audio.store.os.getpid", lambda: store._spilled.owner + 1)
    store.memory_bytes = 1
    spoken = len(fake.spoken)
    for text in [*TEXTS, *TEXTS]:
        np.testing.assert_array_equal(store.clip(text), expected[text])
    assert len(fake.spoken) == spoken
