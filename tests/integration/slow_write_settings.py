"""The production settings plus the slow-write pause (see slow_write.py)."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.integration.slow_write.SlowWriteConfig"]
