using Strata.Data;

namespace Strata.Tests.Data;

public class MemoryBudgetTests
{
    [Theory]
    [InlineData("4GB", 4L << 30)]
    [InlineData("512MB", 512L << 20)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("64KiB", 64L << 10)]
    [InlineData(" 2 gb ", 2L << 30)]
    [InlineData("1t", 1L << 40)]
    [InlineData("1048576", 1L << 20)]
    [InlineData("100B", 100)]
    public void TryParse_reads_sizes_in_powers_of_1024(string text, long bytes)
    {
        Assert.True(MemoryBudget.TryParse(text, out var budget));
        Assert.Equal(bytes, budget!.Bytes);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0GB")]
    [InlineData("-1")]
    [InlineData("-1GB")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("GB")]
    [InlineData("5XB")]
    [InlineData("4 G B")]
    [InlineData("1.2.3G")]
    [InlineData("99999999TB")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_refuses_zero_negative_fractional_bytes_garbage_and_overflow(string? text)
    {
        Assert.False(MemoryBudget.TryParse(text, out var budget));
        Assert.Null(budget);
    }

    [Theory]
    [InlineData(0L, 4L << 30)]
    [InlineData(1L << 30, 512L << 20)]
    [InlineData(24L << 30, 4L << 30)]
    [InlineData(8L << 30, 4L << 30)]
    public void The_default_is_4_GiB_or_half_of_what_the_process_may_use(long available, long expected)
    {
        Assert.Equal(expected, MemoryBudget.DefaultFor(available));
    }

    [Fact]
    public void The_default_follows_this_process()
    {
        Assert.Equal(MemoryBudget.DefaultFor(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes), MemoryBudget.Default.Bytes);
    }

    [Theory]
    [InlineData(1023L, "1023 bytes")]
    [InlineData(1536L, "1.5 KB")]
    [InlineData(627_200_000L, "598 MB")]
    [InlineData(4L << 30, "4.0 GB")]
    [InlineData(long.MaxValue, "8.0 EB")]
    public void Format_writes_the_unit_messages_use(long bytes, string text) => Assert.Equal(text, MemoryBudget.Format(bytes));

    [Fact]
    public void Require_passes_up_to_the_budget_and_throws_beyond_it_with_both_sizes()
    {
        var budget = new MemoryBudget(1 << 20);
        budget.Require(1 << 20, "exactly the budget");
        var e = Assert.Throws<MemoryBudgetExceededException>(() => budget.Require(3 << 20, "'x.idx' (3×1024×256 values)"));
        Assert.Equal("'x.idx' (3×1024×256 values) would need 3.0 MB, more than the memory budget of 1.0 MB.", e.Message);
        Assert.Equal((3L << 20, 1L << 20), (e.Needed, e.Budget));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryBudget(0));
    }
}
