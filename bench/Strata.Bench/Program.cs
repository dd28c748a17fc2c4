using BenchmarkDotNet.Running;
using Strata.Bench;

// Subcommands run a same-run comparison; anything else goes to BenchmarkDotNet (e.g. --filter *Gemm*).
switch (args.Length > 0 ? args[0] : "")
{
    case "gemm":
        return GemmVsTorch.Run(args[1..]);
    case "train":
        return TrainingVsTorch.Run(args[1..]);
    case "batchnorm":
        return BatchNormVsTorch.Run(args[1..]);
    case "clipping":
        return ClippingOverhead.Run(args[1..]);
    case "conv":
        return ConvVsTorch.Run(args[1..]);
    case "frozen":
        return FrozenFeatures.Run(args[1..]);
    case "fold":
        return FoldingSpeed.Run(args[1..]);
    case "rnn":
        return RnnVsTorch.Run(args[1..]);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args);
        return 0;
}
