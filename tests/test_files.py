import os

import pytest

from digits_svm._files import atomic_write_bytes, check_writable_dir
from digits_svm.errors import ArtifactWriteError


def test_atomic_write_replaces_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "sub" / "f.bin"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["f.bin"]


def test_exclusive_write_never_overwrites(tmp_path):
    target = tmp_path / "f.bin"
    atomic_write_bytes(target, b"first", exclusive=True)
    with pytest.raises(FileExistsError):
        atomic_write_bytes(target, b"second", exclusive=True)
    assert target.read_bytes() == b"first"
    assert os.listdir(tmp_path) == ["f.bin"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only directories")
def test_read_only_directory_is_a_clear_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(ArtifactWriteError, match="cannot write"):
        atomic_write_bytes(ro / "f.bin", b"x")


def test_output_path_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ArtifactWriteError, match="not a directory"):
        check_writable_dir(tmp_path / "file")
    with pytest.raises(ArtifactWriteError, match="cannot write"):
        atomic_write_bytes(tmp_path / "file" / "inside.bin", b"x")


def test_atomic_write_gets_the_permissions_a_plain_write_gets(tmp_path):
    # mkstemp alone would leave 0600: artifacts others on the machine (or Xcode run by
    # another user) could not read
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"x")
    for exclusive in (False, True):
        target = atomic_write_bytes(tmp_path / f"atomic{exclusive}.bin", b"x", exclusive=exclusive)
        assert oct(target.stat().st_mode & 0o777) == oct(plain.stat().st_mode & 0o777)


def test_read_bytes_names_what_is_wrong(tmp_path):
    from digits_svm._files import read_bytes
    from digits_svm.errors import ImageError

    with pytest.raises(ImageError, match="crop not found: .*nope.png; check the path"):
        read_bytes(tmp_path / "nope.png", what="crop", error=ImageError)
    with pytest.raises(ImageError, match="crop path is a directory"):
        read_bytes(tmp_path, what="crop", error=ImageError)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ImageError, match="cannot read crop .*file/inner"):  # a file's "child": not a directory
        read_bytes(tmp_path / "file" / "inner", what="crop", error=ImageError)


def test_a_failed_atomic_write_is_one_error_and_leaves_nothing(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ArtifactWriteError, match="cannot"):
        atomic_write_bytes(tmp_path / "file" / "model.mlmodel", b"data")
    assert os.listdir(tmp_path) == ["file"]
    with pytest.raises(ArtifactWriteError, match="cannot write to .*choose a writable directory"):
        check_writable_dir(tmp_path / "file" / "out")
