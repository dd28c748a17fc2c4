namespace Strata.Tests.Cli;

/// <summary>
/// Every numeric option of every command has a range, and a value outside it (or not a number) is refused by the
/// option's name with the range, in one line, before any file is read: the data directory and the model named here
/// do not exist, so an error about them would mean the value got through.
/// </summary>
public class OptionParsersTests
{
    private const string Nowhere = "/nonexistent/strata";
    private const string Model = Nowhere + "/model.safetensors";

    public static TheoryData<string[], string> OutOfRange() => new()
    {
        { ["train", "--epochs", "0"], "--epochs must be from 1 to 100000; got 0." },
        { ["train", "--epochs", "-1"], "--epochs must be from 1 to 100000; got -1." },
        { ["train", "--epochs", "100001"], "--epochs must be from 1 to 100000; got 100001." },
        { ["train", "--epochs", "ten"], "--epochs takes a whole number from 1 to 100000; got 'ten'." },
        { ["train", "--epochs", "99999999999"], "--epochs takes a whole number from 1 to 100000; got '99999999999'." },
        { ["train", "--batch-size", "0"], "--batch-size must be from 1 to 65536; got 0." },
        { ["train", "--batch-size", "2000000000"], "--batch-size must be from 1 to 65536; got 2000000000." },
        { ["train", "--learning-rate", "-0.1"], "--learning-rate must be a positive number; got '-0.1'." },
        { ["train", "--learning-rate", "NaN"], "--learning-rate must be a positive number; got 'NaN'." },
        { ["train", "--learning-rate", "1e39"], "--learning-rate must be a positive number; got '1e39'." },
        { ["train", "--clip-norm", "0"], "--clip-norm must be a positive number; got '0'." },
        { ["train", "--clip-value", "Infinity"], "--clip-value must be a positive number; got 'Infinity'." },
        { ["train", "--global-clip-norm", "-1"], "--global-clip-norm must be a positive number; got '-1'." },
        { ["train", "--agc", "0"], "--agc must be a positive number; got '0'." },
        { ["train", "--auto-clip", "0"], "--auto-clip must be a percentile above 0 and at most 100; got '0'." },
        { ["train", "--auto-clip", "100.5"], "--auto-clip must be a percentile above 0 and at most 100; got '100.5'." },
        { ["train", "--threads", "0"], "--threads must be from 1 to 1024; got 0." },
        { ["train", "--threads", "5000"], "--threads must be from 1 to 1024; got 5000." },
        { ["train", "--validation", "-1"], "--validation must be from 0 to 10000000; got -1." },
        { ["train", "--validation", "20000000"], "--validation must be from 0 to 10000000; got 20000000." },
        { ["train", "--seed", "x"], "--seed takes a whole number; got 'x'." },
        { ["train", "--max-memory", "0"], "--max-memory takes a size above zero such as 4GB, 512MB, 1.5G or a number of bytes; got '0'." },
        { ["train", "--max-memory", "-1GB"], "--max-memory takes a size above zero such as 4GB, 512MB, 1.5G or a number of bytes; got '-1GB'." },
        { ["train", "--max-memory", "lots"], "--max-memory takes a size above zero such as 4GB, 512MB, 1.5G or a number of bytes; got 'lots'." },
        { ["evaluate", Model, "--batch-size", "0"], "--batch-size must be from 1 to 65536; got 0." },
        { ["evaluate", Model, "--max-memory", "2XB"], "--max-memory takes a size above zero such as 4GB, 512MB, 1.5G or a number of bytes; got '2XB'." },
        { ["predict", Model, "--input", Model, "--top", "0"], "--top must be from 1 to 1000; got 0." },
        { ["predict", Model, "--input", Model, "--limit", "-1"], "--limit must be from 0 to 1000000; got -1." },
        { ["summary", Model, "--threads", "-3"], "--threads must be from 1 to 1024; got -3." },
        { ["fold", Model, "--rounds", "0"], "--rounds must be from 1 to 1000; got 0." },
        { ["fold", Model, "--rounds", "1001"], "--rounds must be from 1 to 1000; got 1001." },
        { ["fold", Model, "--batch-size", "65537"], "--batch-size must be from 1 to 65536; got 65537." },
        { ["export", Model, "--onnx", Nowhere + "/m.onnx", "--opset", "12"], "--opset must be from 13 to 21; got 12." },
        { ["export", Model, "--onnx", Nowhere + "/m.onnx", "--opset", "22"], "--opset must be from 13 to 21; got 22." },
        { ["experiment", "batchnorm", "--data", Nowhere, "--seeds", "0"], "--seeds must be from 1 to 100; got 0." },
        { ["experiment", "batchnorm", "--data", Nowhere, "--seeds", "101"], "--seeds must be from 1 to 100; got 101." },
        { ["experiment", "batchnorm", "--data", Nowhere, "--threads", "0"], "--threads must be from 1 to 1024; got 0." },
        { ["experiment", "clipping", "--max-steps", "0"], "--max-steps must be from 1 to 1000000; got 0." },
        { ["experiment", "clipping", "--max-steps", "1000001"], "--max-steps must be from 1 to 1000000; got 1000001." },
        { ["experiment", "clipping", "--lengths", "3"], "--lengths takes whole numbers from 4 to 100000, comma-separated; got '3'." },
        { ["experiment", "clipping", "--lengths", "10,100001"], "--lengths takes whole numbers from 4 to 100000, comma-separated; got '10,100001'." },
        { ["experiment", "clipping", "--learning-rate", "0"], "--learning-rate must be a positive number; got '0'." },
        { ["experiment", "clipping", "--agc", "-1"], "--agc must be a positive number; got '-1'." },
        { ["experiment", "clipping", "--auto-clip", "200"], "--auto-clip must be a percentile above 0 and at most 100; got '200'." },
        { ["experiment", "clipping", "--recurrent-stddev", "inf"], "--recurrent-stddev must be a positive number; got 'inf'." },
        { ["experiment", "clipping", "--max-memory", "0.5"], "--max-memory takes a size above zero such as 4GB, 512MB, 1.5G or a number of bytes; got '0.5'." },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void A_value_out_of_range_is_refused_by_name_with_the_range_before_anything_is_read(string[] args, string message)
    {
        string[] withData = args[0] == "train" ? [.. args, "--data", Nowhere] : args;
        var run = CliHarness.Run(withData);
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains("error: " + message, run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Theory]
    [InlineData("4GB")]
    [InlineData("512MB")]
    [InlineData("1.5G")]
    [InlineData("1048576")]
    public void A_valid_max_memory_passes_and_the_command_goes_on_to_its_files(string size)
    {
        var run = CliHarness.Run("train", "--data", Nowhere, "--max-memory", size);
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains("does not exist", run.Stderr, StringComparison.Ordinal); // the data, not the option
    }
}
