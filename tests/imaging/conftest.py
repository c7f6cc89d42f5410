"""An answer request that every format accepts, for the tests to vary."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from schooltech_fleet.imaging.answers import AnswerRequest
from schooltech_fleet.inventory.model import OperatingSystem

SERVER = "http://10.77.0.2:8080"
TOKEN = "k3JcV1m0dXq8Yw2ZbTn5sLpA7eRf9hGu"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9kq3nQZkq8xV2s7oWq1YfJm0d7bC5n0tX3pR8yL4aZ tech@lab1"


def request(**changes: Any) -> AnswerRequest:
    base = AnswerRequest(
        hostname="lab1-pc01",
        os=OperatingSystem.DEBIAN12,
        firmware="bios",
        disk_layout="single",
        locale="en_GB.UTF-8",
        keyboard="gb",
        timezone="Europe/London",
        admin_user="schooltech",
        admin_ssh_key=KEY,
        callback_url=f"{SERVER}/callback/{TOKEN}",
        mirror=None,
        proxy="http://proxy.lab1.school.example:3128",
    )
    return dataclasses.replace(base, **changes)


def unchecked(base: AnswerRequest, **changes: Any) -> AnswerRequest:
    """*base* with *changes* that skip AnswerRequest's checks: to prove the renderers quote on their own."""
    copy = dataclasses.replace(base)
    for name, value in changes.items():
        object.__setattr__(copy, name, value)
    return copy


@pytest.fixture
def make_request() -> Any:
    return request
