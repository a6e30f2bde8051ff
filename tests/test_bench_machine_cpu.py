"""The benchmark's reading of the machine's CPU (`bench.run.machine_cpu`)."""

from bench.run import machine_cpu

# user nice system idle iowait irq softirq steal guest guest_nice
STAT = "cpu  700 0 100 1000 50 0 20 130 0 0\ncpu0 350 0 50 500 25 0 10 65 0 0\n"


def test_time_the_host_took_from_the_virtual_machine_is_counted_apart() -> None:
    busy, total, stolen = machine_cpu(STAT)

    assert total == 2000
    assert busy == 2000 - 1000 - 50  # everything but idle and iowait, stolen time included
    assert stolen == 130


def test_a_kernel_that_reports_no_steal_column_reads_as_nothing_stolen() -> None:
    assert machine_cpu("cpu  700 0 100 1000 50 0 20\n") == (820, 1870, 0)
