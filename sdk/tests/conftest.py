import time

import pytest
from sdk_support import EVENT_ID, SECRET, envelope

from gestly_sdk import sign


@pytest.fixture
def body() -> bytes:
    return envelope()


@pytest.fixture
def headers(body: bytes) -> dict[str, str]:
    return sign(SECRET, EVENT_ID, int(time.time()), body)
