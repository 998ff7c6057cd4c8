"""Run the theory tests on one intra-op thread.

Their tensors are tiny, so threads only add synchronisation; on a shared 2-core
machine the spinning threads made the suite up to five times slower.
"""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
