using System.CommandLine;

namespace Cli;

/// <summary>`readiness scan` and `readiness gate`; every failure ends in one line on stderr and an exit code of <see cref="ExitCodes"/>.</summary>
public static class ReadinessCli
{
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken, HttpMessageHandler? gateHandler = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        var scan = ScanCommand.Create(console);
        var gate = GateCommand.Create(console, gateHandler);
        var root = new RootCommand("Grades a deployment's HTTP security from outside and gates pipelines on it.") { scan, gate };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Some parser messages span lines (the accepted values); a pipeline log reads one line best.
            var message = string.Join(' ', parsed.Errors[0].Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            await console.Error.WriteLineAsync($"readiness: {message}");
            return ExitCodes.BadInput;
        }

        try
        {
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (CliException exception)
        {
            await console.Error.WriteLineAsync($"readiness: {exception.Message}");
            return exception.ExitCode;
        }
    }

    internal static CliException BadInput(string message) => new(ExitCodes.BadInput, message);

    /// <summary>An absolute http(s) URL, else bad input naming the option.</summary>
    internal static Uri ParseHttpUrl(string? text, string what)
    {
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw BadInput($"{what} \"{text}\" is not an http:// or https:// URL");
        }

        // Not echoed: the message would print the password it refuses.
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw BadInput($"{what} must not carry a user name or password: they are never sent, and every report would print them");
        }

        return url;
    }

    internal static string? ParseGrade(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return Scanner.Grading.GradeScale.TryParse(text, out var letter)
            ? letter
            : throw BadInput($"unknown grade \"{text}\" (expected one of {string.Join(", ", Scanner.Grading.GradeScale.Letters)})");
    }
}
