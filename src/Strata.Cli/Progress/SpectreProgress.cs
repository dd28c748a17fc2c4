using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Strata.Cli.Progress;

/// <summary>
/// Shows training progress as one line per finished epoch, e.g.
/// <c>epoch 3/10  loss 0.4123  accuracy 0.8512  val_loss 0.4100  val_accuracy 0.8500  samples/s 41000  12.3s</c>.
/// On an interactive terminal a live Spectre.Console bar runs below those lines for the epoch in progress, with
/// its running loss, metrics and samples per second; redirected output (a file, a pipe) gets only the lines.
/// </summary>
/// <remarks>
/// Spectre's live display runs the training inside it, so wrap <see cref="Sequential.Fit"/> in
/// <see cref="Run{T}"/> and pass this callback to it.
/// </remarks>
internal sealed class SpectreProgress : Callback
{
    /// <summary>Seconds between updates of the live statistics (the bar itself moves every step).</summary>
    private const double RefreshInterval = 0.1;

    private readonly TextWriter _plain;
    private readonly IAnsiConsole? _console;
    private readonly ConcurrentDictionary<int, string> _stats = new();
    private ProgressContext? _context;
    private ProgressTask? _task;
    private TrainingPlan _plan = new(0, 0, 0, 0, 0, [], []);
    private long _epochStart;
    private double _lastRefresh;
    private double _trainSeconds;
    private int _trainSamples;

    /// <summary>Plain lines to <paramref name="plain"/>; a live display on <paramref name="console"/> when given.</summary>
    public SpectreProgress(TextWriter plain, IAnsiConsole? console)
    {
        _plain = plain;
        _console = console;
    }

    /// <summary>For the terminal: live when it is interactive, plain lines to its output otherwise.</summary>
    public static SpectreProgress For(Terminal terminal) =>
        new(terminal.Out, terminal.Interactive ? AnsiConsole.Console : null);

    /// <summary>True when drawing a live display.</summary>
    public bool IsLive => _console is not null;

    /// <summary>Runs <paramref name="training"/> (the Fit call) inside the live display, or directly when plain.</summary>
    public T Run<T>(Func<T> training)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (_console is null) return training();
        return _console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn { Width = 20 },
                new PercentageColumn(),
                new RemainingTimeColumn(),
                new StatsColumn(_stats))
            .Start(context =>
            {
                _context = context;
                try
                {
                    return training();
                }
                finally
                {
                    _context = null;
                }
            });
    }

    public override void OnTrainBegin(TrainingPlan plan) => _plan = plan;

    public override void OnEpochBegin(int epoch)
    {
        _epochStart = Stopwatch.GetTimestamp();
        _lastRefresh = double.NegativeInfinity;
        _trainSeconds = 0;
        _trainSamples = 0;
        if (_context is null) return;
        // Validation counts as one more step, so the bar (which hides once full) stays up while it runs.
        int steps = Math.Max(1, _plan.StepsPerEpoch) + (_plan.ValidationSamples > 0 ? 1 : 0);
        _task = _context.AddTask(EpochLabel(epoch), autoStart: true, maxValue: steps);
        _stats[_task.Id] = "";
    }

    public override void OnBatchEnd(int epoch, BatchLogs logs)
    {
        _trainSeconds = logs.ElapsedSeconds;
        _trainSamples = logs.Samples;
        if (_task is null) return;
        _task.Value = logs.Step;
        // Formatting allocates, so the numbers change a few times a second rather than every step.
        if (logs.ElapsedSeconds - _lastRefresh < RefreshInterval && logs.Step < _plan.StepsPerEpoch) return;
        _lastRefresh = logs.ElapsedSeconds;
        var text = new StringBuilder();
        AppendValue(text, "loss", logs.Loss, gap: " ");
        for (int m = 0; m < logs.Metrics.Length && m < _plan.MetricNames.Count; m++) AppendValue(text, _plan.MetricNames[m], logs.Metrics[m], gap: " ");
        AppendSpeed(text, gap: "");
        if (logs.Step == _plan.StepsPerEpoch && _plan.ValidationSamples > 0) text.Append(" validating…");
        _stats[_task.Id] = text.ToString();
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        double seconds = Stopwatch.GetElapsedTime(_epochStart).TotalSeconds;
        var text = new StringBuilder();
        foreach (string key in OrderedKeys(logs.Keys, _plan.MetricNames)) AppendValue(text, key, logs[key]);
        AppendSpeed(text);
        text.Append(CultureInfo.InvariantCulture, $"{seconds:F1}s");

        string line = $"{EpochLabel(epoch)}  {text}";
        if (_task is null)
        {
            _plain.WriteLine(line);
            _plain.Flush();
            return;
        }
        // The finished bar disappears and the epoch's line scrolls up above the live display, like the plain output.
        _task.Value = _task.MaxValue;
        _task.StopTask();
        _stats.TryRemove(_task.Id, out _);
        _task = null;
        _console!.WriteLine(line);
    }

    /// <summary>
    /// Log keys in reading order: loss, the metrics, val_loss, the validation metrics, then anything else.
    /// </summary>
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

    private static void AppendValue(StringBuilder text, string name, double value, string gap = "  ") =>
        text.Append(CultureInfo.InvariantCulture, $"{name} {value:F4}{gap}");

    private void AppendSpeed(StringBuilder text, string gap = "  ")
    {
        double speed = _trainSeconds > 0 ? _trainSamples / _trainSeconds : 0;
        text.Append(CultureInfo.InvariantCulture, $"samples/s {speed:F0}{gap}");
    }

    /// <summary>Renders the statistics the callback last wrote for a task.</summary>
    private sealed class StatsColumn(ConcurrentDictionary<int, string> stats) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(stats.TryGetValue(task.Id, out string? text) ? text.TrimEnd() : "", new Style(Color.Grey));
    }
}
