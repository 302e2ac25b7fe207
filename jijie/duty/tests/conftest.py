from jijie.duty.tests.helpers import posts  # noqa: F401 - the fixture, for every test here
from jijie.mobilization.tests.helpers import mob  # noqa: F401 - the fixture, for every test here
