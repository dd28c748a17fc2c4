using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Strata;

/// <summary>How <see cref="ProgressLogger"/> shows an epoch.</summary>
public enum ProgressStyle
{
    /// <summary>One line per finished epoch (Keras's <c>verbose=2</c>, and what redirected output gets).</summary>
    Lines,

    /// <summary>A bar redrawn in place during the epoch, then the epoch's line (Keras's <c>verbose=1</c> on a terminal).</summary>
    Bar,
}

/// <summary>
/// Training progress as Keras's progress bar shows it, in Strata's words: during an epoch (with
/// <see cref="ProgressStyle.Bar"/>) <c>epoch 3/10 [========>           ] 1200/1875  ETA 4s  loss 0.4123  accuracy 0.8512</c>
/// redrawn in place a few times a second, and for each finished epoch one line
/// <c>epoch 3/10  loss 0.4123  accuracy 0.8512  val_loss 0.4100  val_accuracy 0.8500  samples/s 41000  12.3s</c>.
/// The warnings Fit records (exploding or vanishing gradients, skipped steps) are printed under the epoch they
/// belong to, as they happen. <see cref="Model.Fit(Tensor, Tensor, int, int, float, ValueTuple{Tensor, Tensor}?, bool, int?, IEnumerable{Callback}?, bool, int, int, int?, Distributed.Communicator?)"/> adds one for its <c>verbose</c> argument; the CLI uses the same.
/// </summary>
public sealed class ProgressLogger : Callback
{
    /// <summary>Runs on rank 0 only in a data-parallel Fit.</summary>
    public override bool WritesOutput => true;

    /// <summary>Seconds between redraws of the bar: often enough to look live, rarely enough to cost nothing.</summary>
    private const double RedrawInterval = 0.1;

    private const int BarWidth = 20;

    private readonly TextWriter _output;
    private readonly ProgressStyle _style;
    private readonly StringBuilder _text = new();
    private TrainingPlan _plan = new(0, 0, 0, 0, 0, [], []);
    private long _epochStart;
    private double _lastRedraw;
    private double _trainSeconds;
    private int _trainSamples, _warningsShown, _drawnLength;
    private long _skippedShown;

    /// <param name="output">Where to write (the console, a log, a test's writer).</param>
    /// <param name="style">A live bar (for a terminal) or one line per epoch.</param>
    public ProgressLogger(TextWriter output, ProgressStyle style = ProgressStyle.Lines)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _style = style;
    }

    /// <summary>
    /// Keras's <c>verbose</c> on the process's console: 1 draws the bar when standard output is a terminal and writes
    /// lines when it is redirected, 2 writes lines; 0 means no logger (null).
    /// </summary>
    public static ProgressLogger? ForConsole(int verbose) => verbose switch
    {
        0 => null,
        1 => new ProgressLogger(Console.Out, Console.IsOutputRedirected ? ProgressStyle.Lines : ProgressStyle.Bar),
        2 => new ProgressLogger(Console.Out, ProgressStyle.Lines),
        _ => throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "verbose is 0 (silent), 1 (a progress bar) or 2 (one line per epoch)."),
    };

    public override void OnTrainBegin(TrainingPlan plan)
    {
        _plan = plan;
        _warningsShown = 0;
        _skippedShown = 0;
    }

    /// <summary>Prints the warnings added after the last epoch (Batch Normalization's health).</summary>
    public override void OnTrainEnd(History history)
    {
        for (; _warningsShown < history.Warnings.Count; _warningsShown++) _output.WriteLine("warning: " + history.Warnings[_warningsShown]);
        _output.Flush();
    }

    public override void OnEpochBegin(int epoch)
    {
        _epochStart = Stopwatch.GetTimestamp();
        _lastRedraw = double.NegativeInfinity;
        _trainSeconds = 0;
        _trainSamples = 0;
    }

    public override void OnBatchEnd(int epoch, BatchLogs logs)
    {
        _trainSeconds = logs.ElapsedSeconds;
        _trainSamples = logs.Samples;
        if (_style != ProgressStyle.Bar) return;
        // Formatting allocates, so the bar is redrawn a few times a second rather than every step.
        if (logs.ElapsedSeconds - _lastRedraw < RedrawInterval && logs.Step < _plan.StepsPerEpoch) return;
        _lastRedraw = logs.ElapsedSeconds;
        int steps = Math.Max(1, _plan.StepsPerEpoch);
        int filled = (int)((long)BarWidth * logs.Step / steps);
        _text.Clear().Append(EpochLabel(epoch)).Append(" [").Append('=', filled);
        if (filled < BarWidth) _text.Append('>').Append(' ', BarWidth - filled - 1);
        _text.Append("] ").Append(logs.Step.ToString(CultureInfo.InvariantCulture)).Append('/').Append(steps.ToString(CultureInfo.InvariantCulture));
        double remaining = logs.Step > 0 ? logs.ElapsedSeconds / logs.Step * (steps - logs.Step) : 0;
        _text.Append(CultureInfo.InvariantCulture, $"  ETA {remaining:F0}s");
        AppendValue("loss", logs.Loss);
        for (int m = 0; m < logs.Metrics.Length && m < _plan.MetricNames.Count; m++) AppendValue(_plan.MetricNames[m], logs.Metrics[m]);
        if (logs.Step == _plan.StepsPerEpoch && _plan.ValidationSamples > 0) _text.Append("  validating…");
        Redraw(_text.ToString());
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        double seconds = Stopwatch.GetElapsedTime(_epochStart).TotalSeconds;
        Redraw(EpochLine(epoch, logs, _plan.MetricNames, _trainSeconds > 0 ? _trainSamples / _trainSeconds : 0, seconds));
        _output.WriteLine();
        _drawnLength = 0;
        if (History is { } history)
        {
            if (history.SkippedSteps > _skippedShown)
            {
                _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"warning: epoch {epoch + 1}: {history.SkippedSteps - _skippedShown} steps skipped because the loss or a gradient was not finite; the weights were left unchanged."));
                _skippedShown = history.SkippedSteps;
            }
            for (; _warningsShown < history.Warnings.Count; _warningsShown++) _output.WriteLine("warning: " + history.Warnings[_warningsShown]);
        }
        _output.Flush();
    }

    /// <summary>
    /// The line of a finished epoch: its logs in <see cref="OrderedKeys"/> order to 4 decimals, the training speed and the
    /// epoch's time, e.g. <c>epoch 3/10  loss 0.4123  accuracy 0.8512  samples/s 41000  12.3s</c>.
    /// </summary>
    public string EpochLine(int epoch, IReadOnlyDictionary<string, double> logs, IReadOnlyList<string> metricNames, double samplesPerSecond, double seconds)
    {
        ArgumentNullException.ThrowIfNull(logs);
        _text.Clear().Append(EpochLabel(epoch));
        foreach (string key in OrderedKeys(logs.Keys, metricNames)) AppendValue(key, logs[key]);
        _text.Append(CultureInfo.InvariantCulture, $"  samples/s {samplesPerSecond:F0}  {seconds:F1}s");
        return _text.ToString();
    }

    /// <summary>Log keys in reading order: loss, the metrics, val_loss, the validation metrics, then anything else.</summary>
    public static IEnumerable<string> OrderedKeys(IEnumerable<string> keys, IReadOnlyList<string> metricNames)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(metricNames);
        var present = keys.ToList();
        var order = new List<string> { "loss" };
        order.AddRange(metricNames);
        order.Add("val_loss");
        order.AddRange(metricNames.Select(m => "val_" + m));
        var known = order.Where(present.Contains).Distinct().ToList();
        return known.Concat(present.Where(k => !known.Contains(k)));
    }

    private string EpochLabel(int epoch)
    {
        int width = _plan.Epochs.ToString(CultureInfo.InvariantCulture).Length;
        return string.Create(CultureInfo.InvariantCulture, $"epoch {(epoch + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{_plan.Epochs}");
    }

    private void AppendValue(string name, double value) => _text.Append(CultureInfo.InvariantCulture, $"  {name} {value:F4}");

    /// <summary>With a bar, overwrites the line drawn last (padding out what it had beyond the new text); otherwise writes.</summary>
    private void Redraw(string line)
    {
        if (_style == ProgressStyle.Bar)
        {
            _output.Write('\r');
            _output.Write(line);
            if (_drawnLength > line.Length) _output.Write(new string(' ', _drawnLength - line.Length));
            _drawnLength = line.Length;
            _output.Flush();
            return;
        }
        _output.Write(line);
    }
}
