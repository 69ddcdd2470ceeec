using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Console;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LearningSystem.Operations;

/// <summary>
/// What the process prints before it is known to work: the console log and the service's own notes are held
/// until the service has started (or a command has succeeded), then printed in order. A failure a person can act
/// on silences them, so that its one line is all they see; any other failure prints them before its trace.
/// </summary>
public sealed partial class StartupOutput
{
    private readonly Lock _gate = new();
    private readonly Queue<Action> _held = [];
    private State _state = State.Holding;

    // Read without the lock on every log line once the service runs: no lock and no closure on a request's path.
    private volatile bool _released;

    private enum State
    {
        Holding,
        Released,
        Silenced,
    }

    /// <summary>Holds the console log of <paramref name="services"/>; called once every module has configured its logging.</summary>
    public void HoldConsoleLog(IServiceCollection services)
    {
        var console = services.FirstOrDefault(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
        if (console is not null)
        {
            services.Remove(console);
            services.AddSingleton<ILoggerProvider>(provider => new HeldLogProvider(ActivatorUtilities.CreateInstance<ConsoleLoggerProvider>(provider), this));
        }
    }

    /// <summary>A line for standard output, printed once the process is known to work.</summary>
    public void Note(string line) => Run(() => Console.Out.WriteLine(line));

    /// <summary>Prints what was held, and everything from now on as it comes.</summary>
    public void Release()
    {
        lock (_gate)
        {
            if (_state != State.Holding)
            {
                return;
            }

            while (_held.TryDequeue(out var write))
            {
                write();
            }

            _state = State.Released;
            _released = true;
        }
    }

    /// <summary>Drops what was held and everything after it: the one line explaining the failure stands alone.</summary>
    public void Silence()
    {
        lock (_gate)
        {
            _held.Clear();
            _state = State.Silenced;
        }
    }

    private void Run(Action write)
    {
        lock (_gate)
        {
            switch (_state)
            {
                case State.Holding:
                    _held.Enqueue(write);
                    return;
                case State.Silenced:
                    return;
            }
        }

        write();
    }

    /// <summary>
    /// Runs a JasperFx command with the framework's console output held until the command has ended: the search
    /// for commands (a line per assembly) is dropped, and a failure that <see cref="Startup.Explain(Exception, IConfiguration)"/>
    /// knows is its one line instead of the framework's banner, "ERROR:" and trace. Anything else is printed as it
    /// was written once the command ends. What commands print themselves (progress, their report) is not held.
    /// </summary>
    public async Task<int> RunCommandAsync(Func<Task<int>> command, IConfiguration configuration)
    {
        var real = AnsiConsole.Console;
        Exception? last = null;
        void Remember(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e) => last = e.Exception;
        // The framework catches a command's exception and prints it: the one it caught is the last thrown before "ERROR:".
        var console = new CommandConsole(real, () => last);
        AnsiConsole.Console = console;
        AppDomain.CurrentDomain.FirstChanceException += Remember;
        int code;
        try
        {
            code = await command();
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Remember;
            AnsiConsole.Console = real;
        }

        if (console.Failure is { } failure && Startup.Explain(failure, configuration) is { } line)
        {
            Silence();
            await Console.Error.WriteLineAsync(line);
            return 1;
        }

        // A real fault keeps the framework's report, trace included, after the log that led to it. A command that
        // refused with its own one line (and answered false) leaves it standing alone.
        if (code == 0 || console.Failure is not null)
        {
            Release();
        }
        else
        {
            Silence();
        }

        console.Flush();
        return code;
    }

    /// <summary>Holds the framework's console output, less the command search's lines, and notes the failure it reports.</summary>
    private sealed partial class CommandConsole(IAnsiConsole real, Func<Exception?> lastThrown) : IAnsiConsole
    {
        private readonly ConcurrentQueue<IRenderable> _held = new();
        private bool _spoken;

        /// <summary>The exception the framework reported as the command's failure, once it has.</summary>
        public Exception? Failure { get; private set; }

        public Profile Profile => real.Profile;
        public IAnsiConsoleCursor Cursor => real.Cursor;
        public IAnsiConsoleInput Input => real.Input;
        public IExclusivityMode ExclusivityMode => real.ExclusivityMode;
        public RenderPipeline Pipeline => real.Pipeline;

        public void Clear(bool home) => real.Clear(home);

        // Raw ANSI output (progress bars, live displays) cannot wait; it goes straight through.
        public void WriteAnsi(Action<AnsiWriter> action) => real.WriteAnsi(action);

        public void Write(IRenderable renderable)
        {
            var text = Whitespace().Replace(string.Concat(renderable.GetSegments(real).Select(s => s.Text)), " ").Trim();
            if (text == "ERROR:" && Failure is null)
            {
                Failure = lastThrown();
            }

            // Before anything else: the framework's "Searching '…' for commands" and the blank line after.
            if (!_spoken && (text.Length == 0 || SearchingForCommands().IsMatch(text)))
            {
                return;
            }

            _spoken = true;
            _held.Enqueue(renderable);
        }

        public void Flush()
        {
            while (_held.TryDequeue(out var renderable))
            {
                real.Write(renderable);
            }
        }

        [GeneratedRegex(@"\s+")]
        private static partial Regex Whitespace();

        [GeneratedRegex(@"^Searching '.*' for commands$")]
        private static partial Regex SearchingForCommands();
    }

    private sealed class HeldLogProvider(ConsoleLoggerProvider console, StartupOutput output) : ILoggerProvider, ISupportExternalScope
    {
        public ILogger CreateLogger(string categoryName) => new HeldLogger(console.CreateLogger(categoryName), output);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => console.SetScopeProvider(scopeProvider);

        public void Dispose() => console.Dispose();
    }

    private sealed class HeldLogger(ILogger console, StartupOutput output) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => console.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => console.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (output._released)
            {
                console.Log(logLevel, eventId, state, exception, formatter);
            }
            else if (console.IsEnabled(logLevel))
            {
                output.Run(() => console.Log(logLevel, eventId, state, exception, formatter));
            }
        }
    }
}
