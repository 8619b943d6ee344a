"""The package's public face: a curated ``__all__`` and a standard-library core."""

import json
import subprocess
import sys

import gestly_sdk


def test_public_names_are_exactly_the_curated_list() -> None:
    public = {name for name in vars(gestly_sdk) if not name.startswith("_")}

    assert public - {"integrations"} == set(gestly_sdk.__all__)
    assert sorted(gestly_sdk.__all__) == gestly_sdk.__all__


def test_every_error_belongs_to_one_tree() -> None:
    errors = [
        getattr(gestly_sdk, name)
        for name in gestly_sdk.__all__
        if name.endswith("Error") and name != "GestlyError"
    ]

    assert errors
    assert all(issubclass(error, gestly_sdk.GestlyError) for error in errors)


IMPORTED_BY_THE_CORE = """
import json, sys
import gestly_sdk
top_level = {name.partition(".")[0] for name in sys.modules}
print(json.dumps(sorted(top_level - set(sys.stdlib_module_names) - {"gestly_sdk"})))
"""


def test_core_imports_only_the_standard_library() -> None:
    child = subprocess.run(
        [sys.executable, "-c", IMPORTED_BY_THE_CORE],
        capture_output=True,
        text=True,
        check=True,
    )

    outside = set(json.loads(child.stdout)) - {"__main__", "_distutils_hack"}
    assert outside == set()
