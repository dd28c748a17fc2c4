using System.Globalization;
using Strata.Cli;
using Strata.Cli.Commands;
using Strata.Data;

namespace Strata.Tests.Cli;

/// <summary>Errors reach the user as one line in the command line's words.</summary>
public class CommandErrorsTests
{
    [Fact]
    public void An_argument_error_loses_the_csharp_parameter_tail()
    {
        Assert.Equal("the batch needs 2 samples", CommandErrors.Describe(new ArgumentException("the batch needs 2 samples", "batchSize")));
        string range = CommandErrors.Describe(new ArgumentOutOfRangeException("batchSize", 0, "at least 1"));
        Assert.DoesNotContain("(Parameter", range, StringComparison.Ordinal);
        Assert.Contains("at least 1", range, StringComparison.Ordinal);
        Assert.Equal("plain", CommandErrors.Describe(new InvalidDataException("plain")));
    }

    [Fact]
    public void Running_out_of_memory_is_one_line_and_exit_code_1()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = CommandErrors.Guarded(Terminal.Plain(output, error), () => throw new OutOfMemoryException());
        Assert.Equal(1, code);
        CliHarness.AssertOneErrorLine(error.ToString());
        Assert.Contains("out of memory", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_budget_refusal_is_one_line_that_says_how_to_raise_the_budget()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = CommandErrors.Guarded(Terminal.Plain(output, error), () =>
        {
            new MemoryBudget(1 << 20).Require(2 << 20, "'big.idx' (2×1024×256 values as floats)");
            return 0;
        });
        Assert.Equal(1, code);
        CliHarness.AssertOneErrorLine(error.ToString());
        Assert.Equal("error: 'big.idx' (2×1024×256 values as floats) would need 2.0 MB, more than the memory budget of 1.0 MB; raise it with --max-memory.",
            error.ToString().TrimEnd());
    }
}
